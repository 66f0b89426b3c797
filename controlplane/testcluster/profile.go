package testcluster

// Profiles of one measured stretch of a benchmark. `go test -cpuprofile`
// covers the whole test binary — cluster start, the thousands of creates a
// benchmark makes before it starts its clock — which buries the part being
// measured. Profile covers only the stretch between its call and the stop
// function it returns, and only when BENCH_PROFILE_DIR names a
// directory: then it writes <name>.cpu.pprof (CPU) and <name>.allocs.pprof
// (allocations, sampled at the runtime's rate) there. Otherwise it does
// nothing, so benchmarks call it unconditionally.
//
//	BENCH_PROFILE_DIR=/tmp/prof go test -run '^$' -bench X ./pkg/
//	go tool pprof -top /tmp/prof/x.cpu.pprof

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"testing"
)

// Profile starts the profiles of the stretch called name and returns the
// function that ends them.
func Profile(t testing.TB, name string) (stop func()) {
	t.Helper()
	dir := os.Getenv("BENCH_PROFILE_DIR")
	if dir == "" {
		return func() {}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cpu, err := os.Create(filepath.Join(dir, name+".cpu.pprof"))
	if err != nil {
		t.Fatal(err)
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		cpu.Close()
		t.Logf("no CPU profile of %s: %v", name, err) // one is already running (go test -cpuprofile)
		return func() {}
	}
	// The allocation profile is cumulative since the process started; a
	// profile taken before the stretch lets pprof -diff_base subtract it.
	writeHeap(t, filepath.Join(dir, name+".allocs-before.pprof"))
	return func() {
		pprof.StopCPUProfile()
		cpu.Close()
		writeHeap(t, filepath.Join(dir, name+".allocs.pprof"))
	}
}

func writeHeap(t testing.TB, path string) {
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		t.Fatal(err)
	}
}
