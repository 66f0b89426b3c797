package kubelet

import (
	"fmt"
	"testing"

	"k8s.io/apimachinery/pkg/types"
)

func TestPodCIDRHandsOutAddressesInOrderFromDotTwo(t *testing.T) {
	c, err := newPodCIDR("10.244.1.0/24")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"10.244.1.2", "10.244.1.3", "10.244.1.4"} {
		got, err := c.Allocate(types.UID(fmt.Sprint("pod-", i)))
		if err != nil || got != want {
			t.Errorf("pod %d got %q, %v; want %q", i, got, err, want)
		}
	}
	if again, _ := c.Allocate("pod-0"); again != "10.244.1.2" {
		t.Errorf("the same pod got a second address %q", again)
	}
}

func TestPodCIDRReusesAFreedAddressOnlyAfterTheOthers(t *testing.T) {
	c, _ := newPodCIDR("10.0.0.0/29") // .2 … .6 are for pods
	for i := range 5 {
		if _, err := c.Allocate(types.UID(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Allocate("full"); err == nil {
		t.Fatal("a full podCIDR gave out an address")
	}
	c.Release("1") // 10.0.0.3
	if got, err := c.Allocate("new"); err != nil || got != "10.0.0.3" {
		t.Errorf("after freeing 10.0.0.3 got %q, %v", got, err)
	}
}

func TestPodCIDRRejectsBadNetworks(t *testing.T) {
	for _, cidr := range []string{"", "10.0.0.1", "10.0.0.0/31", "fd00::/64"} {
		if _, err := newPodCIDR(cidr); err == nil {
			t.Errorf("newPodCIDR(%q) accepted it", cidr)
		}
	}
}
