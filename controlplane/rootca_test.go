package controlplane_test

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/controllers/rootcacertpublisher"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// Every namespace gets the cluster's CA certificate in a ConfigMap
// kube-root-ca.crt, kept as it should be if someone changes or deletes it.
func TestEveryNamespaceHoldsTheClusterCACertificate(t *testing.T) {
	t.Parallel()
	c := testcluster.StartCascade(t)
	cs := c.Client("admin")
	ctx := context.Background()
	want := string(c.CA.CertPEM)
	published := func(ns string) func() bool {
		return func() bool {
			cm, err := cs.CoreV1().ConfigMaps(ns).Get(ctx, rootcacertpublisher.ConfigMapName, metav1.GetOptions{})
			return err == nil && cm.Data["ca.crt"] == want && len(cm.Data) == 1
		}
	}
	waitUntil(t, "kube-root-ca.crt in default", published("default"))
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "kube-root-ca.crt in a new namespace", published("team-a"))

	cm, err := cs.CoreV1().ConfigMaps("team-a").Get(ctx, rootcacertpublisher.ConfigMapName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cm.Data = map[string]string{"ca.crt": "not a certificate"}
	if _, err := cs.CoreV1().ConfigMaps("team-a").Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "a changed kube-root-ca.crt put right", published("team-a"))
	if err := cs.CoreV1().ConfigMaps("team-a").Delete(ctx, rootcacertpublisher.ConfigMapName, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "a deleted kube-root-ca.crt made again", published("team-a"))
}
