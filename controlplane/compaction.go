package controlplane

// Compaction as a step. etcd's history is compacted on a schedule
// (controlplane/etcd/compact.go); it is something etcd really does, and what
// explains a watch's 410 Gone, so every sandbox sharing that etcd sees it in
// its timeline: which revision history now starts at, and how big the
// database was before and after.

import (
	"context"
	"fmt"
	"strconv"

	"github.com/glassplane/glassplane/controlplane/etcd"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// recordCompactions records each compaction of e in rec until the returned
// function is called.
func recordCompactions(e *etcd.Etcd, rec *steps.Recorder) (stop func()) {
	if e.Compactor == nil {
		return func() {}
	}
	return e.Compactor.OnCompaction(func(cp etcd.Compaction) {
		rec.Record(context.Background(), compactionStep(cp))
	})
}

// compactionStep is the etcd compact step of one compaction: a trace of its
// own, since no user action caused it.
func compactionStep(cp etcd.Compaction) steps.Step {
	return steps.Step{
		Trace:     steps.NewTrace(),
		Component: steps.Etcd,
		Stage:     steps.Compact,
		Message: steps.Msg("etcd.compact", "revision", strconv.FormatInt(cp.Revision, 10),
			"before", mebibytes(cp.DBSizeBefore), "after", mebibytes(cp.DBSizeAfter)),
		Detail: cp,
	}
}

func mebibytes(n int64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
