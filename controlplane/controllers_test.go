package controlplane_test

// The controller manager on a real cluster: the seed Deployment becomes a
// ReplicaSet and three pods, and the cluster keeps them so — replacing a
// deleted pod, scaling, rolling out a new image, collecting what a deleted
// Deployment owned, emptying a deleted namespace. There is no scheduler or
// kubelet here: pods stay Pending unless a test reports them ready itself,
// as a kubelet would, through the status subresource.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/glassplane/glassplane/controlplane/controllers"
	deploymentcontroller "github.com/glassplane/glassplane/controlplane/controllers/deployment"
	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// startControllerManager runs the controller manager as
// system:kube-controller-manager until the test ends.
func startControllerManager(t *testing.T, c *testcluster.Cluster) {
	t.Helper()
	cfg, err := c.ClientConfig("system:kube-controller-manager")
	if err != nil {
		t.Fatal(err)
	}
	m, err := controllers.NewManager(cfg, c.Steps, controllers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = m.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(waitDeadline)
	last := ""
	for time.Now().Before(deadline) {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s; last seen: %s", what, last)
}

// createSeed creates testdata/hello-deployment.yaml as written, in apps/v1beta2.
// createSeed posts the seed manifest as apps/v1beta2, scaled to three
// replicas so the controllers have several pods to manage.
func createSeed(t *testing.T, cs kubernetes.Interface) {
	t.Helper()
	y, err := os.ReadFile(filepath.Join("testdata", "hello-deployment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	y = bytes.Replace(y, []byte("replicas: 1"), []byte("replicas: 3"), 1)
	body, err := yaml.YAMLToJSON(y)
	if err != nil {
		t.Fatal(err)
	}
	err = cs.AppsV1().RESTClient().Post().AbsPath("/apis/apps/v1beta2/namespaces/default/deployments").
		SetHeader("Content-Type", "application/json").Body(body).Do(context.Background()).Error()
	if err != nil {
		t.Fatalf("creating the seed deployment: %v", err)
	}
}

func activePods(t *testing.T, cs kubernetes.Interface, ns, selector string) []corev1.Pod {
	t.Helper()
	list, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		t.Fatal(err)
	}
	var out []corev1.Pod
	for _, p := range list.Items {
		if p.DeletionTimestamp == nil {
			out = append(out, p)
		}
	}
	return out
}

func podCount(t *testing.T, cs kubernetes.Interface, ns, selector string, want int) func() (bool, string) {
	return func() (bool, string) {
		n := len(activePods(t, cs, ns, selector))
		return n == want, fmt.Sprintf("%d pods", n)
	}
}

// actAsKubelet reports every pod matching selector running and ready, as a
// kubelet would once its containers started.
func actAsKubelet(t *testing.T, cs kubernetes.Interface, ns, selector string) {
	t.Helper()
	for i, p := range activePods(t, cs, ns, selector) {
		if isPodReady(&p) {
			continue
		}
		now := metav1.Now()
		p.Status.Phase = corev1.PodRunning
		p.Status.PodIP = fmt.Sprintf("10.244.0.%d", 10+i)
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: now}}
		_, err := cs.CoreV1().Pods(ns).UpdateStatus(context.Background(), &p, metav1.UpdateOptions{})
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			t.Fatal(err)
		}
	}
}

func isPodReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

func TestSeedDeploymentGetsReplicaSetAndThreePods(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	startControllerManager(t, c)
	cs := c.Client("admin")
	ctx := context.Background()
	createSeed(t, cs)

	d, err := cs.AppsV1().Deployments("default").Get(ctx, "helloworld-deployment", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rsName := "helloworld-deployment-" + deploymentcontroller.ComputeHash(&d.Spec.Template, nil)
	waitFor(t, "ReplicaSet "+rsName, func() (bool, string) {
		rs, err := cs.AppsV1().ReplicaSets("default").Get(ctx, rsName, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return ptr.Deref(rs.Spec.Replicas, 0) == 3 && rs.Annotations[deploymentcontroller.RevisionAnnotation] == "1", fmt.Sprint(rs.Spec.Replicas, rs.Annotations)
	})
	waitFor(t, "three pods", podCount(t, cs, "default", "app=helloworld-pod", 3))
	for _, p := range activePods(t, cs, "default", "app=helloworld-pod") {
		ref := metav1.GetControllerOf(&p)
		if !strings.HasPrefix(p.Name, rsName+"-") || ref == nil || ref.Name != rsName || !ptr.Deref(ref.BlockOwnerDeletion, false) {
			t.Errorf("pod %s: name or controller reference wrong: %+v", p.Name, ref)
		}
		if p.Labels[deploymentcontroller.PodTemplateHashLabel] == "" || p.Status.Phase != corev1.PodPending {
			t.Errorf("pod %s: labels %v, phase %s", p.Name, p.Labels, p.Status.Phase)
		}
	}
	waitFor(t, "a ScalingReplicaSet event", func() (bool, string) {
		evs, _ := cs.CoreV1().Events("default").List(ctx, metav1.ListOptions{})
		for _, e := range evs.Items {
			if e.Reason == "ScalingReplicaSet" && e.Message == fmt.Sprintf("Scaled up replica set %s from 0 to 3", rsName) {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d events", len(evs.Items))
	})
	waitFor(t, "deployment status", func() (bool, string) {
		d, _ := cs.AppsV1().Deployments("default").Get(ctx, "helloworld-deployment", metav1.GetOptions{})
		st := d.Status
		return st.ObservedGeneration == d.Generation && st.Replicas == 3 && st.UnavailableReplicas == 3 &&
			d.Annotations[deploymentcontroller.RevisionAnnotation] == "1", fmt.Sprintf("%+v %v", st, d.Annotations)
	})

	t.Run("the controllers' steps join the create's trace", func(t *testing.T) {
		all := c.Steps.Since(0, 0)
		trace := ""
		for _, s := range all {
			if s.Stage == steps.Store && s.Object.Kind == "Deployment" && s.Object.Name == "helloworld-deployment" {
				trace = s.Trace
				break
			}
		}
		var watchD, reconcileD, reconcileRS, podStore bool
		for _, s := range all {
			if s.Trace != trace || trace == "" {
				continue
			}
			switch {
			case s.Component == steps.ControllerManager && s.Stage == steps.Watch && s.Object.Kind == "Deployment":
				watchD = true
			case s.Component == steps.ControllerManager && s.Stage == steps.Reconcile && s.Object.Kind == "Deployment":
				reconcileD = true
			case s.Component == steps.ControllerManager && s.Stage == steps.Reconcile && s.Object.Kind == "ReplicaSet":
				reconcileRS = true
			case s.Stage == steps.Store && s.Object.Kind == "Pod":
				podStore = true
			}
		}
		if !watchD || !reconcileD || !reconcileRS || !podStore {
			t.Errorf("trace %q: deployment watch %v, deployment reconcile %v, replicaset reconcile %v, pod stored %v",
				trace, watchD, reconcileD, reconcileRS, podStore)
		}
	})

	t.Run("a deleted pod is replaced", func(t *testing.T) {
		victim := activePods(t, cs, "default", "app=helloworld-pod")[0].Name
		if err := cs.CoreV1().Pods("default").Delete(ctx, victim, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "three pods without "+victim, func() (bool, string) {
			pods := activePods(t, cs, "default", "app=helloworld-pod")
			for _, p := range pods {
				if p.Name == victim {
					return false, "victim still there"
				}
			}
			return len(pods) == 3, fmt.Sprintf("%d pods", len(pods))
		})
	})

	t.Run("scaling to 5 gives 5 pods", func(t *testing.T) {
		// The deployment controller writes the Deployment's status while we
		// scale it, so the scale update is retried on a conflict, as any
		// client that reads and then writes must.
		err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			scale, err := cs.AppsV1().Deployments("default").GetScale(ctx, "helloworld-deployment", metav1.GetOptions{})
			if err != nil {
				return err
			}
			scale.Spec.Replicas = 5
			_, err = cs.AppsV1().Deployments("default").UpdateScale(ctx, "helloworld-deployment", scale, metav1.UpdateOptions{})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "five pods", podCount(t, cs, "default", "app=helloworld-pod", 5))
	})

	t.Run("ready pods make the deployment available", func(t *testing.T) {
		waitFor(t, "5/5 available", func() (bool, string) {
			actAsKubelet(t, cs, "default", "app=helloworld-pod")
			d, _ := cs.AppsV1().Deployments("default").Get(ctx, "helloworld-deployment", metav1.GetOptions{})
			cond := deploymentCondition(d, appsv1.DeploymentProgressing)
			return d.Status.AvailableReplicas == 5 && d.Status.ReadyReplicas == 5 && cond != nil &&
					cond.Reason == "NewReplicaSetAvailable" && cond.Message == fmt.Sprintf("ReplicaSet %q has successfully progressed.", rsName),
				fmt.Sprintf("%+v", d.Status)
		})
	})
}

func deploymentCondition(d *appsv1.Deployment, t appsv1.DeploymentConditionType) *appsv1.DeploymentCondition {
	for i := range d.Status.Conditions {
		if d.Status.Conditions[i].Type == t {
			return &d.Status.Conditions[i]
		}
	}
	return nil
}

func webDeployment(name string, replicas int32) *appsv1.Deployment {
	lbls := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: lbls},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: lbls},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx:1.25",
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}}}},
			},
		},
	}
}

func TestChangingTheImageRollsOutASecondReplicaSet(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	startControllerManager(t, c)
	cs := c.Client("admin")
	ctx := context.Background()
	d, err := cs.AppsV1().Deployments("default").Create(ctx, webDeployment("web", 3), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	firstRS := "web-" + deploymentcontroller.ComputeHash(&d.Spec.Template, nil)
	waitFor(t, "3 ready pods", func() (bool, string) {
		actAsKubelet(t, cs, "default", "app=web")
		d, _ := cs.AppsV1().Deployments("default").Get(ctx, "web", metav1.GetOptions{})
		return d.Status.AvailableReplicas == 3, fmt.Sprintf("%+v", d.Status)
	})

	// The controller writes the Deployment's status too: read, change and
	// write again until no one wrote in between.
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		d, err = cs.AppsV1().Deployments("default").Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			return err
		}
		d.Spec.Template.Spec.Containers[0].Image = "nginx:1.27"
		d, err = cs.AppsV1().Deployments("default").Update(ctx, d, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	secondRS := "web-" + deploymentcontroller.ComputeHash(&d.Spec.Template, nil)
	maxPods := 0
	waitFor(t, "the rollout to finish", func() (bool, string) {
		maxPods = max(maxPods, len(activePods(t, cs, "default", "app=web")))
		actAsKubelet(t, cs, "default", "app=web")
		d, _ := cs.AppsV1().Deployments("default").Get(ctx, "web", metav1.GetOptions{})
		old, err1 := cs.AppsV1().ReplicaSets("default").Get(ctx, firstRS, metav1.GetOptions{})
		cur, err2 := cs.AppsV1().ReplicaSets("default").Get(ctx, secondRS, metav1.GetOptions{})
		if err1 != nil || err2 != nil {
			return false, fmt.Sprint(err1, err2)
		}
		return d.Status.UpdatedReplicas == 3 && d.Status.Replicas == 3 && d.Status.AvailableReplicas == 3 &&
				*old.Spec.Replicas == 0 && *cur.Spec.Replicas == 3 && d.Annotations[deploymentcontroller.RevisionAnnotation] == "2",
			fmt.Sprintf("deployment %+v; old %d new %d", d.Status, *old.Spec.Replicas, *cur.Spec.Replicas)
	})
	// 3 replicas, maxSurge 25% (rounds up to 1): never more than 4 pods.
	if maxPods > 4 {
		t.Errorf("saw %d pods at once; maxSurge allows 4", maxPods)
	}
	cur, _ := cs.AppsV1().ReplicaSets("default").Get(ctx, secondRS, metav1.GetOptions{})
	if cur.Annotations[deploymentcontroller.RevisionAnnotation] != "2" {
		t.Errorf("new ReplicaSet has revision %q, want 2", cur.Annotations[deploymentcontroller.RevisionAnnotation])
	}
	for _, p := range activePods(t, cs, "default", "app=web") {
		if p.Spec.Containers[0].Image != "nginx:1.27" {
			t.Errorf("pod %s still runs %s", p.Name, p.Spec.Containers[0].Image)
		}
	}
}

func TestKubectlRolloutStatusHistoryAndUndo(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/usr/bin/kubectl"); err != nil {
		t.Skip("/usr/bin/kubectl is not installed")
	}
	kubectl := []string{"/usr/bin/kubectl"}
	c := testcluster.Start(t)
	startControllerManager(t, c)
	cs := c.Client("admin")
	ctx := context.Background()
	run := func(args ...string) string {
		t.Helper()
		out, err := c.Kubectl(kubectl, "admin", "", args...)
		if err != nil {
			t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	if _, err := cs.AppsV1().Deployments("default").Create(ctx, webDeployment("web", 2), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	kubeletDone := make(chan struct{})
	go func() { // a kubelet that makes every pod ready
		defer close(kubeletDone)
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				actAsKubelet(t, cs, "default", "app=web")
			}
		}
	}()
	defer func() { close(stop); <-kubeletDone }()

	out := run("rollout", "status", "deployment/web", "--timeout=30s")
	if !strings.Contains(out, `deployment "web" successfully rolled out`) {
		t.Errorf("rollout status printed %q", out)
	}
	run("set", "image", "deployment/web", "web=nginx:1.27")
	run("rollout", "status", "deployment/web", "--timeout=30s")
	out = run("rollout", "history", "deployment/web")
	if !strings.Contains(out, "1 ") || !strings.Contains(out, "2 ") {
		t.Errorf("rollout history printed\n%s", out)
	}
	out = run("rollout", "undo", "deployment/web")
	if !strings.Contains(out, "rolled back") {
		t.Errorf("rollout undo printed %q", out)
	}
	run("rollout", "status", "deployment/web", "--timeout=30s")
	d, _ := cs.AppsV1().Deployments("default").Get(ctx, "web", metav1.GetOptions{})
	if img := d.Spec.Template.Spec.Containers[0].Image; img != "nginx:1.25" || d.Annotations[deploymentcontroller.RevisionAnnotation] != "3" {
		t.Errorf("after undo: image %s, revision %q; want nginx:1.25 at revision 3", img, d.Annotations[deploymentcontroller.RevisionAnnotation])
	}
	rsList, _ := cs.AppsV1().ReplicaSets("default").List(ctx, metav1.ListOptions{})
	if len(rsList.Items) != 2 {
		t.Errorf("undo should reuse the first ReplicaSet; there are %d", len(rsList.Items))
	}
}

func TestDeletingADeploymentCollectsWhatItOwned(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	startControllerManager(t, c)
	cs := c.Client("admin")
	ctx := context.Background()
	for _, policy := range []metav1.DeletionPropagation{metav1.DeletePropagationBackground, metav1.DeletePropagationForeground, metav1.DeletePropagationOrphan} {
		t.Run(string(policy), func(t *testing.T) {
			name := "gc-" + strings.ToLower(string(policy))
			sel := "app=" + name
			if _, err := cs.AppsV1().Deployments("default").Create(ctx, webDeployment(name, 2), metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "two pods", podCount(t, cs, "default", sel, 2))
			if err := cs.AppsV1().Deployments("default").Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &policy}); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the deployment to go", func() (bool, string) {
				_, err := cs.AppsV1().Deployments("default").Get(ctx, name, metav1.GetOptions{})
				return apierrors.IsNotFound(err), fmt.Sprint(err)
			})
			rsList := func() []appsv1.ReplicaSet {
				l, _ := cs.AppsV1().ReplicaSets("default").List(ctx, metav1.ListOptions{LabelSelector: sel})
				return l.Items
			}
			if policy == metav1.DeletePropagationOrphan {
				rs := rsList()
				if len(rs) != 1 || len(rs[0].OwnerReferences) != 0 {
					t.Fatalf("orphaned ReplicaSets: %+v", rs)
				}
				if n := len(activePods(t, cs, "default", sel)); n != 2 {
					t.Errorf("orphaning deleted pods: %d left", n)
				}
				return
			}
			if policy == metav1.DeletePropagationForeground {
				// Foreground: the Deployment went last, so nothing it owned is left now.
				if rs, pods := rsList(), activePods(t, cs, "default", sel); len(rs) != 0 || len(pods) != 0 {
					t.Errorf("after a foreground delete, %d ReplicaSets and %d pods remain", len(rs), len(pods))
				}
			}
			waitFor(t, "ReplicaSets and pods to go", func() (bool, string) {
				rs, pods := rsList(), activePods(t, cs, "default", sel)
				return len(rs) == 0 && len(pods) == 0, fmt.Sprintf("%d ReplicaSets, %d pods", len(rs), len(pods))
			})
		})
	}
}

func TestDeletingANamespaceRemovesItsContentThenIt(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	startControllerManager(t, c)
	cs := c.Client("admin")
	ctx := context.Background()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.AppsV1().Deployments("shop").Create(ctx, webDeployment("web", 2), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().ConfigMaps("shop").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "two pods", podCount(t, cs, "shop", "app=web", 2))
	if err := cs.CoreV1().Namespaces().Delete(ctx, "shop", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the namespace to go", func() (bool, string) {
		ns, err := cs.CoreV1().Namespaces().Get(ctx, "shop", metav1.GetOptions{})
		if err == nil {
			return false, fmt.Sprintf("%s %v", ns.Status.Phase, ns.Spec.Finalizers)
		}
		return apierrors.IsNotFound(err), err.Error()
	})
	pods, _ := cs.CoreV1().Pods("shop").List(ctx, metav1.ListOptions{})
	cms, _ := cs.CoreV1().ConfigMaps("shop").List(ctx, metav1.ListOptions{})
	deps, _ := cs.AppsV1().Deployments("shop").List(ctx, metav1.ListOptions{})
	if len(pods.Items)+len(cms.Items)+len(deps.Items) != 0 {
		t.Errorf("left behind: %d pods, %d configmaps, %d deployments", len(pods.Items), len(cms.Items), len(deps.Items))
	}
}

func TestEveryNamespaceHasADefaultServiceAccount(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	startControllerManager(t, c)
	cs := c.Client("admin")
	ctx := context.Background()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	hasDefault := func(ns string) func() (bool, string) {
		return func() (bool, string) {
			_, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
			return err == nil, fmt.Sprint(err)
		}
	}
	for _, ns := range []string{"default", "kube-system", "team-a"} {
		waitFor(t, "ServiceAccount default in "+ns, hasDefault(ns))
	}
	if err := cs.CoreV1().ServiceAccounts("team-a").Delete(ctx, "default", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "ServiceAccount default recreated", hasDefault("team-a"))
}

func TestEndpointsFollowReadyPods(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	startControllerManager(t, c)
	cs := c.Client("admin")
	ctx := context.Background()
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "web"},
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http")}}},
	}
	if _, err := cs.CoreV1().Services("default").Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.AppsV1().Deployments("default").Create(ctx, webDeployment("web", 2), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "empty Endpoints web", func() (bool, string) {
		ep, err := cs.CoreV1().Endpoints("default").Get(ctx, "web", metav1.GetOptions{})
		return err == nil && len(ep.Subsets) == 0, fmt.Sprint(err)
	})
	waitFor(t, "two pods", podCount(t, cs, "default", "app=web", 2))
	actAsKubelet(t, cs, "default", "app=web")
	var ips []string
	for _, p := range activePods(t, cs, "default", "app=web") {
		ips = append(ips, p.Status.PodIP)
	}
	waitFor(t, "two ready addresses on port 8080", func() (bool, string) {
		ep, _ := cs.CoreV1().Endpoints("default").Get(ctx, "web", metav1.GetOptions{})
		if len(ep.Subsets) != 1 {
			return false, fmt.Sprintf("%+v", ep.Subsets)
		}
		s := ep.Subsets[0]
		return len(s.Addresses) == 2 && len(s.Ports) == 1 && s.Ports[0].Port == 8080, fmt.Sprintf("%+v (pod IPs %v)", s, ips)
	})

	// A pod that stops being ready moves to notReadyAddresses.
	p := activePods(t, cs, "default", "app=web")[0]
	p.Status.Conditions[0].Status = corev1.ConditionFalse
	if _, err := cs.CoreV1().Pods("default").UpdateStatus(ctx, &p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "one ready, one not", func() (bool, string) {
		ep, _ := cs.CoreV1().Endpoints("default").Get(ctx, "web", metav1.GetOptions{})
		if len(ep.Subsets) != 1 {
			return false, fmt.Sprintf("%+v", ep.Subsets)
		}
		s := ep.Subsets[0]
		return len(s.Addresses) == 1 && len(s.NotReadyAddresses) == 1 && s.NotReadyAddresses[0].IP == p.Status.PodIP, fmt.Sprintf("%+v", s)
	})
}
