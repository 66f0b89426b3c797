package testcluster

import (
	"reflect"
	"testing"
	"time"
)

// Only a test that has held its cluster for longer than the limit is named,
// with how long it has held it.
func TestStuckTestsAreThoseHoldingAClusterPastTheLimit(t *testing.T) {
	now := time.Now()
	holders.Store("TestStuck", now.Add(-11*time.Minute))
	holders.Store("TestBusy", now.Add(-2*time.Minute))
	defer holders.Delete("TestStuck")
	defer holders.Delete("TestBusy")
	if got, want := stuckTests(10*time.Minute, now), []string{"TestStuck (11m0s)"}; !reflect.DeepEqual(got, want) {
		t.Errorf("stuck: %q, want %q", got, want)
	}
}
