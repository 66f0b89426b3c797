package steps

// A sandbox's steps are numbered 1, 2, 3… and a browser resumes its stream
// with ?since=seq, so a number must never be given to two steps. On one
// server the recorder's counter is enough. When several Glassplane replicas
// share an etcd, a sandbox's components may start again on another replica
// after a failover, with a fresh recorder; that recorder must go on above
// every number the last one gave, or a browser resuming at since=N would
// wait for a step N+1 that means something else.
//
// So the recorder reserves its numbers in blocks, as a hi/lo allocator
// does: before it gives the first number of a block it writes the block's
// end to etcd (through the function it was given), and a recorder started
// later begins after the last end written. A failover skips the unused rest
// of the dead replica's block: the numbers stay increasing and unique, with
// a gap where the steps that replica took with it would have been.

// ContinueAfter makes the recorder number its steps from last+1, reserving
// them block at a time with reserve, which must make the block's end durable
// before it returns. It is called before the first step is recorded.
func (r *Recorder) ContinueAfter(last, block uint64, reserve func(upTo uint64)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq, r.reserved, r.block, r.reserve = last, last, max(block, 1), reserve
}

// reserveLocked reserves the block the next number falls in, if it is not
// reserved yet. The caller holds r.mu: no step gets a number past the last
// reservation.
func (r *Recorder) reserveLocked() {
	if r.reserve != nil && r.seq > r.reserved {
		r.reserved = r.seq + r.block - 1
		r.reserve(r.reserved)
	}
}
