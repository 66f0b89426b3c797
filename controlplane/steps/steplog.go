package steps

// The history and the story keep steps in pages. A recorder takes a dozen
// steps per request and forgets its oldest tenth whenever it is full; kept
// in one slice, every growth copied all the steps kept so far and every
// trim moved nine tenths of them, which was a third of what a create
// allocated. In pages, a new step goes at the end of the last page, and
// forgetting the oldest tenth drops the first page.
//
// Rules: steps are appended in increasing Seq. A page holds `page` steps;
// only the last may hold fewer. The history's pages are made whole when
// their first step comes, so a step is allocated once; the story, which
// fills slowly and may stay nearly empty, grows its last page as a slice
// grows. At needs i < Len, AppendTo i <= j <= Len.

import "sort"

// stepLog is an ordered run of steps kept in pages.
type stepLog struct {
	page  int  // steps per page, at least 1
	grow  bool // a new page starts small and grows
	pages [][]Step
	n     int
}

func newStepLog(page int, grow bool) stepLog { return stepLog{page: max(page, 1), grow: grow} }

// Len is the number of steps kept.
func (l *stepLog) Len() int { return l.n }

// At returns the i'th step kept, oldest first.
func (l *stepLog) At(i int) *Step {
	// Every page but the last is full, so the page is i / page.
	return &l.pages[i/l.page][i%l.page]
}

// Append keeps s after every step kept.
func (l *stepLog) Append(s Step) {
	last := len(l.pages) - 1
	if last < 0 || len(l.pages[last]) == l.page {
		size := l.page
		if l.grow {
			size = min(size, 64)
		}
		l.pages = append(l.pages, make([]Step, 0, size))
		last++
	}
	l.pages[last] = append(l.pages[last], s)
	l.n++
}

// DropFirstPage forgets the oldest page and returns its steps.
func (l *stepLog) DropFirstPage() []Step {
	if len(l.pages) == 0 {
		return nil
	}
	first := l.pages[0]
	l.pages[0] = nil
	l.pages = l.pages[1:]
	l.n -= len(first)
	return first
}

// After is the index of the first step with a Seq greater than seq (Len
// when there is none).
func (l *stepLog) After(seq uint64) int {
	return sort.Search(l.n, func(i int) bool { return l.At(i).Seq > seq })
}

// AppendTo appends the steps from index i up to j to dst.
func (l *stepLog) AppendTo(dst []Step, i, j int) []Step {
	for i < j {
		p := l.pages[i/l.page]
		k := i % l.page
		end := min(len(p), k+(j-i))
		dst = append(dst, p[k:end]...)
		i += end - k
	}
	return dst
}
