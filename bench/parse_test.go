package main

import "testing"

// A component's log line between a benchmark's name and its figures (the
// control plane logging as it stops) still leaves the figures read under
// the benchmark's name.
func TestParseReadsFiguresPastALogLineAfterTheName(t *testing.T) {
	out := "goos: linux\n" +
		"BenchmarkSeedCreateToRunning-2   \ttime=2026-12-06T23:27:39Z level=ERROR msg=\"Unhandled Error\"\n" +
		"time=2026-12-06T23:27:40Z level=ERROR msg=\"again\"\n" +
		"      30\t1027787841 ns/op\t     86586 bytes/seed\t       340.2 create-to-running-ms\n" +
		"BenchmarkSchedulingEndToEnd/1000PodsOn100Nodes-2 \t       1\t  991.0 ns/op\t  1629 cpu-µs/pod\t  401.5 pods/s\n" +
		"PASS\n"
	got := parse([]byte(out))
	if v := got["BenchmarkSeedCreateToRunning"]["create-to-running-ms"]; v != 340.2 {
		t.Errorf("seed create-to-running-ms = %v, want 340.2 (parsed %v)", v, got)
	}
	if v := got["BenchmarkSchedulingEndToEnd/1000PodsOn100Nodes"]["pods/s"]; v != 401.5 {
		t.Errorf("end-to-end pods/s = %v, want 401.5 (parsed %v)", v, got)
	}
}
