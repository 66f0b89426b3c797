package registry

import (
	"encoding/json"
	"testing"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/watch"
)

// podEvent is the etcd event of a pod written at revision 7: created (prev
// nil), updated (both), or deleted (cur nil).
func podEvent(t testing.TB, prev, cur *corev1.Pod) *clientv3.Event {
	t.Helper()
	kv := func(p *corev1.Pod, rev int64) *mvccpb.KeyValue {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		return &mvccpb.KeyValue{Key: []byte("/registry/pods/default/" + p.Name), Value: b, ModRevision: rev}
	}
	e := &clientv3.Event{Type: clientv3.EventTypePut}
	if cur != nil {
		e.Kv = kv(cur, 7)
	} else {
		e.Type = clientv3.EventTypeDelete
		e.Kv = &mvccpb.KeyValue{Key: []byte("/registry/pods/default/" + prev.Name), ModRevision: 7}
	}
	if prev != nil {
		e.PrevKv = kv(prev, 6)
	}
	return e
}

func pod(node string, lbls map[string]string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", Labels: lbls}, Spec: corev1.PodSpec{NodeName: node}}
}

// Each etcd change becomes the watch event kube's watch cache sends, for a
// watch of everything and for selective ones: a change that moves an object
// into a selection is ADDED, out of it DELETED.
func TestTranslateEventForEveryKindOfChangeAndSelection(t *testing.T) {
	r, _ := Lookup("", "pods")
	s := &Store{}
	everything := Selection{}
	onNode1 := Selection{Fields: fields.OneTermEqualSelector("spec.nodeName", "node-1")}
	blue := Selection{Labels: labels.SelectorFromSet(labels.Set{"color": "blue"})}
	for _, c := range []struct {
		name       string
		sel        Selection
		prev, cur  *corev1.Pod
		want       watch.EventType // "" for none
		wantNode   string
		wantLabels string
	}{
		{"created", everything, nil, pod("", nil), watch.Added, "", ""},
		{"updated", everything, pod("", nil), pod("node-1", nil), watch.Modified, "node-1", ""},
		{"deleted", everything, pod("node-1", nil), nil, watch.Deleted, "node-1", ""},
		{"bound to the node", onNode1, pod("", nil), pod("node-1", nil), watch.Added, "node-1", ""},
		{"updated on the node", onNode1, pod("node-1", nil), pod("node-1", map[string]string{"a": "b"}), watch.Modified, "node-1", "a=b"},
		{"elsewhere", onNode1, pod("node-2", nil), pod("node-2", map[string]string{"a": "b"}), "", "", ""},
		{"deleted from the node", onNode1, pod("node-1", nil), nil, watch.Deleted, "node-1", ""},
		{"label removed", blue, pod("", map[string]string{"color": "blue"}), pod("", nil), watch.Deleted, "", "color=blue"},
		{"label added", blue, pod("", nil), pod("", map[string]string{"color": "blue"}), watch.Added, "", "color=blue"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ev, ok, err := s.translateEvent(r, c.sel, podEvent(t, c.prev, c.cur))
			if err != nil {
				t.Fatal(err)
			}
			if c.want == "" {
				if ok {
					t.Fatalf("sent %s, want nothing", ev.Type)
				}
				return
			}
			if !ok || ev.Type != c.want {
				t.Fatalf("got %q (sent %v), want %s", ev.Type, ok, c.want)
			}
			p := ev.Object.(*corev1.Pod)
			if p.Spec.NodeName != c.wantNode || labels.Set(p.Labels).String() != c.wantLabels || p.ResourceVersion != "7" {
				t.Errorf("sent node %q labels %q rv %s, want node %q labels %q rv 7", p.Spec.NodeName, labels.Set(p.Labels), p.ResourceVersion, c.wantNode, c.wantLabels)
			}
		})
	}
}

// An update delivered to an informer's watch of everything, and to a
// kubelet's watch of its node's pods (which must decode the old pod too).
func BenchmarkTranslateUpdate(b *testing.B) {
	r, _ := Lookup("", "pods")
	s := &Store{}
	e := podEvent(b, pod("node-1", nil), pod("node-1", map[string]string{"a": "b"}))
	for _, c := range []struct {
		name string
		sel  Selection
	}{
		{"everything", Selection{}},
		{"node", Selection{Fields: fields.OneTermEqualSelector("spec.nodeName", "node-1")}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, ok, err := s.translateEvent(r, c.sel, e); !ok || err != nil {
					b.Fatal(ok, err)
				}
			}
		})
	}
}
