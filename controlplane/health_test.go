package controlplane_test

// /readyz as kube-apiserver answers it: named checks with ?verbose, a
// failure that names the check while etcd has no quorum, and ok again once
// it has.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

func TestReadyzNamesTheEtcdCheckWhileEtcdIsUnreachableAndPassesAfter(t *testing.T) {
	t.Parallel()
	c := testcluster.StartWith(t, controlplane.Config{EtcdMembers: 3, Nodes: -1})
	readyz := func() (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		out, err := c.Client("admin").Discovery().RESTClient().Get().AbsPath("/readyz").Param("verbose", "").DoRaw(ctx)
		return string(out), err
	}
	out, err := readyz()
	if err != nil {
		t.Fatalf("/readyz?verbose with etcd up: %v\n%s", err, out)
	}
	for _, want := range []string{"[+]ping ok", "[+]etcd ok", "[+]informer-sync ok", "[+]components ok", "readyz check passed"} {
		if !strings.Contains(out, want) {
			t.Errorf("/readyz?verbose lacks %q:\n%s", want, out)
		}
	}
	var stopped []string
	for _, st := range c.Components() {
		if strings.HasPrefix(st.Name, "etcd") && len(stopped) < 2 {
			if err := c.StopComponent(st.Name); err != nil {
				t.Fatal(err)
			}
			stopped = append(stopped, st.Name)
		}
	}
	if len(stopped) != 2 {
		t.Fatalf("found etcd members %v, want to stop 2 of 3", stopped)
	}
	out, err = readyz()
	if err == nil || !strings.Contains(out, "[-]etcd failed") || !strings.Contains(out, "readyz check failed") {
		t.Errorf("/readyz without etcd quorum answered err %v:\n%s", err, out)
	}
	for _, name := range stopped {
		if err := c.StartComponent(name); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err = readyz()
		if err == nil && strings.Contains(out, "readyz check passed") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz did not pass within 30 s of etcd's members coming back: %v\n%s", err, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
