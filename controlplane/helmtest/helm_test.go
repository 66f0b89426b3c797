// Package helmtest drives Glassplane with Helm, the package manager most
// Kubernetes users meet early: its Go SDK (helm.sh/helm/v4, the library the
// helm command is built on) installs, upgrades, rolls back and uninstalls a
// small chart against a test cluster.
//
// Helm keeps each revision of a release as a Secret named
// sh.helm.release.v1.<name>.v<revision>, labelled owner=helm and
// status=<deployed|superseded|uninstalled|…>, and writes the chart's objects
// with server-side apply. So this test exercises what Helm needs from an API
// server: discovery, server-side apply and its field managers, updates of the
// release Secrets, label-selected lists, and deletes. The package is its own
// so that only it pays Helm's compile time.
package helmtest

import (
	"context"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/kube"
	release "helm.sh/helm/v4/pkg/release/v1"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

const configMapTemplate = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-greeting
data:
  greeting: {{ .Values.greeting | quote }}
`

const deploymentTemplate = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  labels:
    app: {{ .Release.Name }}-web
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app: {{ .Release.Name }}-web
  template:
    metadata:
      labels:
        app: {{ .Release.Name }}-web
    spec:
      containers:
      - name: web
        image: nginx:1.27
`

// greetingChart is the chart the test installs: a ConfigMap whose greeting
// and a Deployment whose replica count come from the values.
func greetingChart() *chart.Chart {
	return &chart.Chart{
		Metadata: &chart.Metadata{APIVersion: chart.APIVersionV2, Name: "greeting", Version: "0.1.0", Type: "application"},
		Templates: []*common.File{
			{Name: "templates/configmap.yaml", Data: []byte(configMapTemplate)},
			{Name: "templates/deployment.yaml", Data: []byte(deploymentTemplate)},
		},
		Values: map[string]any{"greeting": "hello", "replicas": 1},
	}
}

// helmConfig is Helm's action configuration for the cluster's admin, storing
// releases as Secrets in namespace default (Helm's default driver).
func helmConfig(t *testing.T, c *testcluster.Cluster) *action.Configuration {
	t.Helper()
	flags := genericclioptions.NewConfigFlags(false)
	flags.KubeConfig = ptr.To(c.Kubeconfig("admin"))
	flags.Namespace = ptr.To("default")
	cfg := action.NewConfiguration()
	if err := cfg.Init(flags, "default", "secret"); err != nil {
		t.Fatalf("helm configuration: %v", err)
	}
	return cfg
}

// releaseStates lists every revision of every release as "name:revision=status".
func releaseStates(t *testing.T, cfg *action.Configuration) []string {
	t.Helper()
	list := action.NewList(cfg)
	list.All = true
	list.StateMask = action.ListAll
	list.SetStateMask()
	rels, err := list.Run()
	if err != nil {
		t.Fatalf("helm list: %v", err)
	}
	var states []string
	for _, r := range rels {
		rel := r.(*release.Release)
		states = append(states, rel.Name+":"+itoa(rel.Version)+"="+rel.Info.Status.String())
	}
	return states
}

// history returns the statuses of a release's revisions, oldest first.
func history(t *testing.T, cfg *action.Configuration, name string) []string {
	t.Helper()
	revs, err := action.NewHistory(cfg).Run(name)
	if err != nil {
		t.Fatalf("helm history %s: %v", name, err)
	}
	statuses := make([]string, len(revs))
	for _, r := range revs {
		rel := r.(*release.Release)
		statuses[rel.Version-1] = rel.Info.Status.String()
	}
	return statuses
}

func itoa(i int) string { return strconv.Itoa(i) }

// clusterState reads back what the chart put into the cluster.
func clusterState(t *testing.T, cs kubernetes.Interface) (greeting string, replicas int32) {
	t.Helper()
	ctx := context.Background()
	cm, err := cs.CoreV1().ConfigMaps("default").Get(ctx, "demo-greeting", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the chart's ConfigMap: %v", err)
	}
	d, err := cs.AppsV1().Deployments("default").Get(ctx, "demo-web", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the chart's Deployment: %v", err)
	}
	return cm.Data["greeting"], *d.Spec.Replicas
}

func releaseSecrets(t *testing.T, cs kubernetes.Interface) map[string]string {
	t.Helper()
	list, err := cs.CoreV1().Secrets("default").List(context.Background(), metav1.ListOptions{LabelSelector: "owner=helm,name=demo"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range list.Items {
		if s.Type != corev1.SecretType("helm.sh/release.v1") {
			t.Errorf("release Secret %s has type %q", s.Name, s.Type)
		}
		got[s.Name] = s.Labels["status"]
	}
	return got
}

func equal(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

func TestHelmInstallsUpgradesRollsBackAndUninstallsAChart(t *testing.T) {
	c := testcluster.Start(t)
	cfg := helmConfig(t, c)
	cs := c.Client("admin")

	install := action.NewInstall(cfg)
	install.ReleaseName, install.Namespace = "demo", "default"
	install.WaitStrategy = kube.HookOnlyStrategy // the helm command's default: wait only for hooks
	if _, err := install.Run(greetingChart(), nil); err != nil {
		t.Fatalf("helm install: %v", err)
	}
	if got := releaseStates(t, cfg); !equal(got, []string{"demo:1=deployed"}) {
		t.Errorf("after install, helm list shows %v", got)
	}
	if g, r := clusterState(t, cs); g != "hello" || r != 1 {
		t.Errorf("after install the cluster holds greeting %q, %d replicas", g, r)
	}

	upgrade := action.NewUpgrade(cfg)
	upgrade.Namespace, upgrade.WaitStrategy = "default", kube.HookOnlyStrategy
	if _, err := upgrade.Run("demo", greetingChart(), map[string]any{"greeting": "bonjour", "replicas": 3}); err != nil {
		t.Fatalf("helm upgrade: %v", err)
	}
	if got := history(t, cfg, "demo"); !equal(got, []string{"superseded", "deployed"}) {
		t.Errorf("after upgrade, helm history shows %v", got)
	}
	if g, r := clusterState(t, cs); g != "bonjour" || r != 3 {
		t.Errorf("after upgrade the cluster holds greeting %q, %d replicas", g, r)
	}

	rollback := action.NewRollback(cfg)
	rollback.Version, rollback.WaitStrategy = 1, kube.HookOnlyStrategy
	if err := rollback.Run("demo"); err != nil {
		t.Fatalf("helm rollback: %v", err)
	}
	if got := history(t, cfg, "demo"); !equal(got, []string{"superseded", "superseded", "deployed"}) {
		t.Errorf("after rollback, helm history shows %v", got)
	}
	if g, r := clusterState(t, cs); g != "hello" || r != 1 {
		t.Errorf("after rollback the cluster holds greeting %q, %d replicas", g, r)
	}
	want := map[string]string{"sh.helm.release.v1.demo.v1": "superseded", "sh.helm.release.v1.demo.v2": "superseded", "sh.helm.release.v1.demo.v3": "deployed"}
	if got := releaseSecrets(t, cs); len(got) != 3 || got["sh.helm.release.v1.demo.v3"] != want["sh.helm.release.v1.demo.v3"] ||
		got["sh.helm.release.v1.demo.v2"] != want["sh.helm.release.v1.demo.v2"] || got["sh.helm.release.v1.demo.v1"] != want["sh.helm.release.v1.demo.v1"] {
		t.Errorf("release Secrets: got %v, want %v", got, want)
	}

	uninstall := action.NewUninstall(cfg)
	uninstall.KeepHistory, uninstall.WaitStrategy = true, kube.HookOnlyStrategy
	if _, err := uninstall.Run("demo"); err != nil {
		t.Fatalf("helm uninstall: %v", err)
	}
	if got := history(t, cfg, "demo"); !equal(got, []string{"superseded", "superseded", "uninstalled"}) {
		t.Errorf("after uninstall --keep-history, helm history shows %v", got)
	}
	ctx := context.Background()
	if _, err := cs.CoreV1().ConfigMaps("default").Get(ctx, "demo-greeting", metav1.GetOptions{}); err == nil {
		t.Error("the chart's ConfigMap is still there after uninstall")
	}
	if _, err := cs.AppsV1().Deployments("default").Get(ctx, "demo-web", metav1.GetOptions{}); err == nil {
		t.Error("the chart's Deployment is still there after uninstall")
	}

	purge := action.NewUninstall(cfg)
	purge.WaitStrategy = kube.HookOnlyStrategy
	if _, err := purge.Run("demo"); err != nil {
		t.Fatalf("helm uninstall (purging the history): %v", err)
	}
	if got := releaseStates(t, cfg); len(got) != 0 {
		t.Errorf("after the history is purged, helm list --all shows %v", got)
	}
	if got := releaseSecrets(t, cs); len(got) != 0 {
		t.Errorf("release Secrets left after purge: %v", got)
	}
}
