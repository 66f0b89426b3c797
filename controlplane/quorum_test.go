package controlplane_test

// etcd as several members under a whole cluster: a leader lost and replaced,
// a quorum lost and writes refused with a Status that says so, everything
// acknowledged still there when the members come back.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// etcdLeader waits until every running member follows one leader and
// returns its status.
func etcdLeader(t *testing.T, c *testcluster.Cluster, what string, ok func(controlplane.ComponentStatus) bool) controlplane.ComponentStatus {
	t.Helper()
	var found controlplane.ComponentStatus
	waitUntil(t, what, func() bool {
		found = controlplane.ComponentStatus{}
		members := 0
		for _, st := range c.Components() {
			if !strings.HasPrefix(st.Name, "etcd-") {
				continue
			}
			members++
			if st.Role == "leader" {
				found = st
			}
		}
		if members == 0 || found.Name == "" || !ok(found) {
			return false
		}
		for _, st := range c.Components() {
			if strings.HasPrefix(st.Name, "etcd-") && st.Running && (st.Leader != found.Name || st.Term != found.Term) {
				return false
			}
		}
		return true
	})
	return found
}

func anyLeader(controlplane.ComponentStatus) bool { return true }

// createConfigMap creates name, retrying while etcd elects a leader, and
// fails the test if it is not acknowledged within 30 s.
func createConfigMap(t *testing.T, cs kubernetes.Interface, name string) {
	t.Helper()
	var err error
	waitUntil(t, "creating "+name, func() bool {
		_, err = cs.CoreV1().ConfigMaps("default").Create(context.Background(),
			&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
		return err == nil || apierrors.IsAlreadyExists(err)
	})
}

// storeStepOf returns the last etcd store step that wrote the ConfigMap name.
func storeStepOf(c *testcluster.Cluster, name string) (steps.Step, bool) {
	var found steps.Step
	ok := false
	for _, s := range c.Steps.Since(0, 0) {
		if s.Component == steps.Etcd && s.Stage == steps.Store && s.Object.Kind == "ConfigMap" && s.Object.Name == name {
			found, ok = s, true
		}
	}
	return found, ok
}

// quorumLostCreate creates name through kubectl with the quorum gone and
// checks it fails in time with a Status naming etcd and quorum.
func quorumLostCreate(t *testing.T, c *testcluster.Cluster, cs kubernetes.Interface, name string) {
	t.Helper()
	kubectl := []string{testcluster.GlassplaneBinary(t), "kubectl"} // built before the clock starts
	start := time.Now()
	out, err := c.Kubectl(kubectl, "admin", "", "create", "configmap", name)
	took := time.Since(start)
	if err == nil {
		t.Fatalf("kubectl create succeeded without a quorum:\n%s", out)
	}
	if took > 30*time.Second {
		t.Errorf("kubectl create took %v to fail: it hangs", took)
	}
	if !strings.Contains(out, "etcd") || !strings.Contains(out, "quorum") {
		t.Errorf("kubectl create failed without naming etcd and quorum:\n%s", out)
	}
	_, err = cs.CoreV1().ConfigMaps("default").Create(context.Background(),
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if st, ok := err.(apierrors.APIStatus); !ok || st.Status().Code < 500 || !strings.Contains(st.Status().Message, "quorum") {
		t.Errorf("a create without quorum answered %v, want a 5xx Status naming quorum", err)
	}
	var waited, failed bool
	for _, s := range c.Steps.Since(0, 0) {
		if s.Component == steps.Etcd && s.Object.Name == name {
			waited = waited || (s.Outcome == steps.Waiting && s.Message.Key == "etcd.waiting")
			failed = failed || (s.Outcome == steps.Failed && s.Message.Key == "etcd.failed")
		}
	}
	if !waited || !failed {
		t.Errorf("the steps show the write waiting %v and failing %v, want both", waited, failed)
	}
	// The API server's own answer, from the request's arrival to the error
	// (kubectl's start and discovery on a loaded machine not counted).
	answered := answerTime(c.Steps.Since(0, 0), name)
	if answered <= 0 || answered > 10*time.Second {
		t.Errorf("the API server answered the create without quorum after %v, want within 10 s", answered)
	}
	t.Logf("without quorum, the API server answered the create after %v (kubectl returned after %v)", answered, took)
}

// answerTime is how long the API server took to answer the first request
// whose etcd write of name failed: from its request step to its answer.
func answerTime(all []steps.Step, name string) time.Duration {
	trace := ""
	for _, s := range all {
		if s.Component == steps.Etcd && s.Object.Name == name && s.Message.Key == "etcd.failed" {
			trace = s.Trace
			break
		}
	}
	var req steps.Step
	for _, s := range all {
		switch {
		case s.Trace != trace || trace == "":
		case s.Stage == steps.Request && s.Parent == 0:
			req = s
		case s.Stage == steps.Respond && req.Seq != 0 && s.Parent == req.Seq:
			return s.Time.Sub(req.Time)
		}
	}
	return 0
}

func TestThreeEtcdMembersElectANewLeaderRefuseWritesWithoutQuorumAndKeepEveryAcknowledgedWrite(t *testing.T) {
	t.Parallel()
	c := testcluster.StartWith(t, controlplane.Config{EtcdMembers: 3})
	cs := c.Client("admin")
	out, err := c.Kubectl([]string{testcluster.GlassplaneBinary(t), "kubectl"}, "admin", string(readSeed(t)), "create", "-f", "-")
	if err != nil {
		t.Fatalf("creating the seed: %v\n%s", err, out)
	}
	waitUntil(t, "the seed's pod running", func() bool { return len(runningPods(t, cs, "app=helloworld-pod")) == 1 })
	acknowledged := []string{"before"}
	createConfigMap(t, cs, "before")

	first := etcdLeader(t, c, "a leader", anyLeader)
	if err := c.StopComponent(first.Name); err != nil {
		t.Fatal(err)
	}
	second := etcdLeader(t, c, "a new leader", func(st controlplane.ComponentStatus) bool { return st.Name != first.Name })
	if second.Term <= first.Term {
		t.Errorf("the new leader %s has term %d, not more than %d", second.Name, second.Term, first.Term)
	}
	createConfigMap(t, cs, "during")
	acknowledged = append(acknowledged, "during")
	s, ok := storeStepOf(c, "during")
	if w, _ := s.Detail.(registry.EtcdWrite); !ok || s.Message.Key != "etcd.put.quorum" || w.Leader != second.Name || w.Majority != 2 || w.Members != 3 {
		t.Errorf("the store step of a write is %+v, want it to name the leader %s and a majority of 2 of 3", s, second.Name)
	}

	if err := c.StopComponent(second.Name); err != nil {
		t.Fatal(err)
	}
	quorumLostCreate(t, c, cs, "lost")

	for _, name := range []string{first.Name, second.Name} {
		if err := c.StartComponent(name); err != nil {
			t.Fatal(err)
		}
	}
	etcdLeader(t, c, "a leader again", anyLeader)
	createConfigMap(t, cs, "after")
	acknowledged = append(acknowledged, "after")
	checkAcknowledged(t, cs, acknowledged)

	c.Restart()
	cs = c.Client("admin")
	etcdLeader(t, c, "a leader after the restart", anyLeader)
	checkAcknowledged(t, cs, acknowledged)
}

// checkAcknowledged checks the seed Deployment and every acknowledged
// ConfigMap are there.
func checkAcknowledged(t *testing.T, cs kubernetes.Interface, configMaps []string) {
	t.Helper()
	if _, err := cs.AppsV1().Deployments("default").Get(context.Background(), "helloworld-deployment", metav1.GetOptions{}); err != nil {
		t.Errorf("the seed Deployment: %v", err)
	}
	for _, name := range configMaps {
		if _, err := cs.CoreV1().ConfigMaps("default").Get(context.Background(), name, metav1.GetOptions{}); err != nil {
			t.Errorf("the acknowledged ConfigMap %s: %v", name, err)
		}
	}
}

func TestFiveEtcdMembersWriteWithTwoLostAndRefuseWithThreeLost(t *testing.T) {
	t.Parallel()
	c := testcluster.StartWith(t, controlplane.Config{EtcdMembers: 5, Nodes: -1})
	cs := c.Client("admin")
	createConfigMap(t, cs, "before")
	for i := range 2 {
		leader := etcdLeader(t, c, "a leader", anyLeader)
		if err := c.StopComponent(leader.Name); err != nil {
			t.Fatal(err)
		}
		createConfigMap(t, cs, fmt.Sprintf("lost-%d", i+1))
	}
	leader := etcdLeader(t, c, "a leader of 3", anyLeader)
	if err := c.StopComponent(leader.Name); err != nil {
		t.Fatal(err)
	}
	quorumLostCreate(t, c, cs, "refused")
	for _, st := range c.Components() {
		if strings.HasPrefix(st.Name, "etcd-") && !st.Running {
			if err := c.StartComponent(st.Name); err != nil {
				t.Fatal(err)
			}
		}
	}
	createConfigMap(t, cs, "after")
	checkCM := []string{"before", "lost-1", "lost-2", "after"}
	for _, name := range checkCM {
		if _, err := cs.CoreV1().ConfigMaps("default").Get(context.Background(), name, metav1.GetOptions{}); err != nil {
			t.Errorf("the acknowledged ConfigMap %s: %v", name, err)
		}
	}
}
