package steps

import "testing"

// Steps read back across page boundaries come in order, and dropping the
// first page forgets exactly the oldest page.
func TestStepLogReadsAcrossPagesAndDropsWholePages(t *testing.T) {
	for _, grow := range []bool{false, true} {
		testStepLog(t, newStepLog(4, grow))
	}
}

func testStepLog(t *testing.T, l stepLog) {
	for seq := uint64(1); seq <= 10; seq++ {
		l.Append(Step{Seq: seq})
	}
	seqs := func(steps []Step) (out []uint64) {
		for _, s := range steps {
			out = append(out, s.Seq)
		}
		return out
	}
	if got := seqs(l.AppendTo(nil, 2, 9)); len(got) != 7 || got[0] != 3 || got[6] != 9 {
		t.Errorf("AppendTo(2, 9) = %v, want 3…9", got)
	}
	if i := l.After(6); i != 6 || l.At(i).Seq != 7 {
		t.Errorf("After(6) = %d", i)
	}
	if i := l.After(10); i != l.Len() {
		t.Errorf("After(newest) = %d, want Len %d", i, l.Len())
	}
	if dropped := seqs(l.DropFirstPage()); len(dropped) != 4 || dropped[0] != 1 || dropped[3] != 4 {
		t.Errorf("DropFirstPage = %v, want 1…4", dropped)
	}
	if l.Len() != 6 || l.At(0).Seq != 5 || l.At(5).Seq != 10 {
		t.Errorf("after the drop: Len %d, first %d", l.Len(), l.At(0).Seq)
	}
	l.Append(Step{Seq: 11}) // fills the last page
	l.Append(Step{Seq: 12}) // begins a new one
	if got := seqs(l.AppendTo(nil, 0, l.Len())); len(got) != 8 || got[7] != 12 {
		t.Errorf("after two more: %v", got)
	}
}
