package controlplane_test

import (
	"context"
	"path/filepath"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/etcd"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

func TestARestoredSnapshotBringsBackADeletedDeploymentWithItsReplicaSetAndPod(t *testing.T) {
	t.Parallel()
	c := testcluster.StartWith(t, controlplane.Config{EtcdMembers: 3})
	cs := c.Client("admin")
	if out, err := c.Kubectl([]string{testcluster.GlassplaneBinary(t), "kubectl"}, "admin", string(readSeed(t)), "create", "-f", "-"); err != nil {
		t.Fatalf("creating the seed: %v\n%s", err, out)
	}
	waitUntil(t, "the seed's pod running", func() bool { return len(runningPods(t, cs, "app=helloworld-pod")) == 1 })
	file := filepath.Join(t.TempDir(), "snapshot.db")
	if _, err := etcd.SaveSnapshot(context.Background(), c.Etcd.ClientURLs(), file); err != nil {
		t.Fatal(err)
	}
	if err := cs.AppsV1().Deployments("default").Delete(context.Background(), "helloworld-deployment", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	c.Close()

	dir := t.TempDir()
	if err := etcd.RestoreSnapshot(file, filepath.Join(dir, "etcd"), 1); err != nil {
		t.Fatal(err)
	}
	r, err := controlplane.Start(context.Background(), controlplane.Config{DataDir: dir, SecureListen: "127.0.0.1:0", Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	kc, err := controlplane.Kubeconfig(dir, r.Addr, "admin")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kc)
	if err != nil {
		t.Fatal(err)
	}
	rs := kubernetes.NewForConfigOrDie(cfg)
	waitUntil(t, "the restored Deployment ready with its ReplicaSet and a running pod", func() bool {
		d, err := rs.AppsV1().Deployments("default").Get(context.Background(), "helloworld-deployment", metav1.GetOptions{})
		if err != nil || d.Status.ReadyReplicas != 1 || d.Status.ObservedGeneration != d.Generation {
			return false
		}
		sets, err := rs.AppsV1().ReplicaSets("default").List(context.Background(), metav1.ListOptions{LabelSelector: "app=helloworld-pod"})
		return err == nil && len(sets.Items) == 1 && len(runningPods(t, rs, "app=helloworld-pod")) == 1
	})
}
