package testcluster

// A watchdog for a test that hangs.
//
// When a package runs out of time, go test prints the tests still running
// and then every goroutine's stack; a CI log cut to its last lines keeps
// the stacks and loses the names. No test here holds a cluster for more
// than a few minutes, so one that has held it for HoldLimit is stuck: the
// watchdog prints every stack and then, last, the names of the stuck tests,
// and ends the process as go test's timeout would, minutes earlier.

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// HoldLimit is how long a test may hold its clusters.
const HoldLimit = 10 * time.Minute

var (
	holders   sync.Map // a test's name → when it started its first cluster
	watchOnce sync.Once
)

// hold counts t as holding a cluster until its cleanups (the cluster's
// Close among them, registered later and so run earlier) have run.
func hold(t testing.TB) {
	watchOnce.Do(func() { go watch(HoldLimit, time.Minute) })
	if _, held := holders.LoadOrStore(t.Name(), time.Now()); !held {
		t.Cleanup(func() { holders.Delete(t.Name()) })
	}
}

func watch(limit, every time.Duration) {
	for range time.Tick(every) {
		if stuck := stuckTests(limit, time.Now()); len(stuck) > 0 {
			buf := make([]byte, 64<<20)
			os.Stderr.Write(buf[:runtime.Stack(buf, true)])
			fmt.Fprintf(os.Stderr, "\ntestcluster: these tests have held a cluster for over %s, far longer than any test needs; the stacks above show where they wait:\n\t%s\n",
				limit, strings.Join(stuck, "\n\t"))
			os.Exit(2)
		}
	}
}

// stuckTests names the tests that have held a cluster for longer than limit.
func stuckTests(limit time.Duration, now time.Time) []string {
	var stuck []string
	holders.Range(func(name, since any) bool {
		if held := now.Sub(since.(time.Time)); held > limit {
			stuck = append(stuck, fmt.Sprintf("%s (%s)", name, held.Round(time.Second)))
		}
		return true
	})
	sort.Strings(stuck)
	return stuck
}
