package controlplane_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/etcd"
	"github.com/glassplane/glassplane/controlplane/steps"
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

func TestRestoringASavedSnapshotWhileTheClusterRunsBringsBackADeletedDeploymentAndRemovesWhatCameAfter(t *testing.T) {
	t.Parallel()
	c := testcluster.StartCascade(t)
	cs := c.Client("admin")
	ctx := context.Background()
	if out, err := c.Kubectl([]string{testcluster.GlassplaneBinary(t), "kubectl"}, "admin", string(readSeed(t)), "create", "-f", "-"); err != nil {
		t.Fatalf("creating the seed: %v\n%s", err, out)
	}
	waitUntil(t, "the seed's pod running", func() bool { return len(runningPods(t, cs, "app=helloworld-pod")) == 1 })
	before, err := cs.AppsV1().Deployments("default").Get(ctx, "helloworld-deployment", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	saved, err := c.SaveSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Objects["deployments"] != 1 || saved.Objects["pods"] != 1 {
		t.Errorf("the snapshot counts %v, want one Deployment and one pod", saved.Objects)
	}

	later := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "made-after-the-snapshot", Namespace: "default"}}
	if _, err := cs.CoreV1().ConfigMaps("default").Create(ctx, later, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := cs.AppsV1().Deployments("default").Delete(ctx, "helloworld-deployment", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the Deployment's pods gone", func() bool {
		l, err := cs.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "app=helloworld-pod"})
		return err == nil && len(l.Items) == 0
	})

	r, err := c.RestoreSnapshot(ctx, saved.Name)
	if err != nil {
		t.Fatal(err)
	}
	if r.Revision == 0 || !slices.Contains(r.Written, c.Store.Prefix()+"/deployments/default/helloworld-deployment") ||
		!slices.Contains(r.Deleted, c.Store.Prefix()+"/configmaps/default/made-after-the-snapshot") {
		t.Errorf("the restore wrote %v and deleted %v at revision %d", r.Written, r.Deleted, r.Revision)
	}
	waitUntil(t, "the same Deployment back, ready, with its ReplicaSet and a running pod", func() bool {
		d, err := cs.AppsV1().Deployments("default").Get(ctx, "helloworld-deployment", metav1.GetOptions{})
		if err != nil || d.UID != before.UID || d.Status.ReadyReplicas != 1 {
			return false
		}
		sets, err := cs.AppsV1().ReplicaSets("default").List(ctx, metav1.ListOptions{LabelSelector: "app=helloworld-pod"})
		return err == nil && len(sets.Items) == 1 && len(runningPods(t, cs, "app=helloworld-pod")) == 1
	})
	if _, err := cs.CoreV1().ConfigMaps("default").Get(ctx, later.Name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the ConfigMap made after the snapshot is still there (%v)", err)
	}

	var restore *steps.Step
	for _, s := range c.Steps.Since(0, 0) {
		if s.Stage == steps.Restore {
			restore = &s
		}
	}
	if restore == nil || restore.Parent != 0 || restore.Trace == "" || restore.Message.Args["written"] == "0" {
		t.Fatalf("no step records the restore as a person's act: %+v", restore)
	}

	// The controllers and the kubelet react to the restored versions in the
	// learner's trace: the kubelet runs the pod that had been deleted again.
	waitUntil(t, "the controller manager and the kubelet acting in the restore's trace", func() bool {
		reconciled, ran := false, false
		for _, s := range c.Steps.Since(restore.Seq, 0) {
			if s.Trace != restore.Trace {
				continue
			}
			reconciled = reconciled || s.Component == steps.ControllerManager && s.Stage == steps.Reconcile
			ran = ran || strings.HasPrefix(s.Component, "kubelet/") && s.Stage == steps.Run
		}
		return reconciled && ran
	})

	again, err := c.RestoreSnapshot(ctx, "rev-1")
	if !errors.Is(err, controlplane.ErrSnapshotNotFound) {
		t.Errorf("restoring a snapshot never saved: %+v, %v", again, err)
	}
}
