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

// A growing page starts small and grows to its full size in place: steps
// read across a page that grew come back whole and in order.
func TestAGrowingStepLogReadsAcrossPagesThatGrew(t *testing.T) {
	l := newStepLog(100, true)
	for seq := uint64(1); seq <= 250; seq++ {
		l.Append(Step{Seq: seq})
	}
	if cap(l.pages[0]) <= 64 {
		t.Fatalf("the first page holds %d steps and never grew past its start", cap(l.pages[0]))
	}
	got := l.AppendTo(nil, 50, 230)
	for k, s := range got {
		if s.Seq != uint64(51+k) {
			t.Fatalf("AppendTo(50, 230)[%d] = %d, want %d", k, s.Seq, 51+k)
		}
	}
	if len(got) != 180 || l.At(99).Seq != 100 || l.At(100).Seq != 101 || l.After(199) != 199 {
		t.Errorf("read %d steps; At(99) %d, At(100) %d, After(199) %d", len(got), l.At(99).Seq, l.At(100).Seq, l.After(199))
	}
	if dropped := l.DropFirstPage(); len(dropped) != 100 || dropped[99].Seq != 100 {
		t.Errorf("the first page dropped %d steps", len(dropped))
	}
}
