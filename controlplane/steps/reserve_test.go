package steps

import (
	"context"
	"slices"
	"testing"
)

// A recorder that continues another numbers from after its last
// reservation and reserves each block before it gives its first number.
func TestARecorderReservesItsNumbersBlockByBlock(t *testing.T) {
	r := NewRecorder(100)
	var reserved []uint64
	var at []uint64 // the number about to be given at each reservation
	r.ContinueAfter(20000, 3, func(upTo uint64) {
		// Called with r.mu held, before the step is stamped and stored.
		reserved, at = append(reserved, upTo), append(at, r.seq)
	})
	var seqs []uint64
	for range 7 {
		seqs = append(seqs, r.Record(context.Background(), Step{Component: "etcd", Stage: Store}).Seq)
	}
	if want := []uint64{20001, 20002, 20003, 20004, 20005, 20006, 20007}; !slices.Equal(seqs, want) {
		t.Errorf("numbers %v, want %v", seqs, want)
	}
	if want := []uint64{20003, 20006, 20009}; !slices.Equal(reserved, want) {
		t.Errorf("reservations %v, want %v (one per block of 3)", reserved, want)
	}
	if want := []uint64{20001, 20004, 20007}; !slices.Equal(at, want) {
		t.Errorf("reserved as %v were about to be given, want each block's first %v", at, want)
	}
}
