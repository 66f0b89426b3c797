// The timeline is the history of steps and the way back through it. Like
// RaftScope's state history, it keeps a checkpoint of the model every
// `every` steps; the state after k steps is the nearest checkpoint at or
// before k, replayed forward. Stepping one step forward from the last state
// asked for costs one apply, and scrubbing anywhere costs at most `every`.
//
// Steps arrive in seq order from the stream but may repeat after a
// reconnect; append ignores any seq it already has.

import { apply, empty, ModelState } from "../model/cluster.js";
import { Step, etcdWrite } from "../model/step.js";

export interface TraceSummary {
  trace: string;
  first: number; // index of the trace's first step
  count: number;
  root: Step;
  action?: Step; // the trace's first request that changes something (not a get, list or watch)
}

const reads = new Set(["get", "list", "watch"]);

export class Timeline {
  readonly every: number;
  private steps: Step[] = [];
  private checkpoints: ModelState[] = [empty]; // checkpoints[i] = state after i*every steps
  private last: { k: number; state: ModelState } = { k: 0, state: empty };
  private traceIndex = new Map<string, TraceSummary>();
  /** rebased: the first step applies to a baseline read from etcd. */
  rebased = false;
  /** applies counts model applies, so tests can see the cost of a scrub. */
  applies = 0;

  constructor(every = 100) {
    this.every = every;
  }

  get length(): number {
    return this.steps.length;
  }

  get lastSeq(): number {
    return this.steps.length ? this.steps[this.steps.length - 1].seq : 0;
  }

  step(i: number): Step | undefined {
    return this.steps[i];
  }

  all(): readonly Step[] {
    return this.steps;
  }

  /** append adds steps newer than the last one; it returns how many it took. */
  append(batch: readonly Step[]): number {
    let n = 0;
    for (const s of batch) {
      if (s.seq <= this.lastSeq) continue;
      this.steps.push(s);
      n++;
      let t = this.traceIndex.get(s.trace);
      if (t) t.count++;
      else if (s.trace) this.traceIndex.set(s.trace, t = { trace: s.trace, first: this.steps.length - 1, count: 1, root: s });
      if (t && !t.action && s.stage === "request" && !reads.has(s.message?.args?.verb ?? (s.detail as { verb?: string })?.verb ?? "")) t.action = s;
    }
    this.extendCheckpoints();
    return n;
  }

  /** rebase makes state what the first step applies to: the cluster as it
   * was before the oldest step the page has (model/cluster.ts baseline). */
  rebase(state: ModelState): void {
    this.rebased = true;
    this.checkpoints = [state];
    this.last = { k: 0, state };
    this.extendCheckpoints();
  }

  /** firstRevision is the etcd revision of the oldest write among the
   * steps, or 0 when they hold none. */
  firstRevision(): number {
    for (const s of this.steps) {
      const w = etcdWrite(s);
      if (w && w.revision > 0) return w.revision;
    }
    return 0;
  }

  /** stateAt returns the model after the first k steps (0 ≤ k ≤ length). */
  stateAt(k: number): ModelState {
    k = Math.max(0, Math.min(k, this.steps.length));
    let from = Math.floor(k / this.every);
    from = Math.min(from, this.checkpoints.length - 1);
    let start = from * this.every;
    let st = this.checkpoints[from];
    if (this.last.k <= k && this.last.k >= start) {
      start = this.last.k;
      st = this.last.state;
    }
    for (let i = start; i < k; i++) {
      st = apply(st, this.steps[i]);
      this.applies++;
    }
    this.last = { k, state: st };
    return st;
  }

  /** indexOfSeq returns the number of steps up to and including seq (the k
   * whose current step is seq), or -1. */
  indexOfSeq(seq: number): number {
    let lo = 0, hi = this.steps.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.steps[mid].seq;
      if (s === seq) return mid + 1;
      if (s < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** traces lists user actions, newest last. */
  traces(): TraceSummary[] {
    return [...this.traceIndex.values()];
  }

  trace(id: string): TraceSummary | undefined {
    return this.traceIndex.get(id);
  }

  /** nextIn returns the k of the next step after k in trace (any trace if
   * empty), or -1. */
  nextIn(k: number, trace: string): number {
    for (let i = k; i < this.steps.length; i++) if (!trace || this.steps[i].trace === trace) return i + 1;
    return -1;
  }

  /** prevIn returns the k of the step before k in trace, or -1. */
  prevIn(k: number, trace: string): number {
    for (let i = k - 2; i >= 0; i--) if (!trace || this.steps[i].trace === trace) return i + 1;
    return -1;
  }

  /** stepsOf returns the steps of one trace, in order (for export). */
  stepsOf(trace: string): Step[] {
    return this.steps.filter((s) => s.trace === trace);
  }

  private extendCheckpoints() {
    while ((this.checkpoints.length) * this.every <= this.steps.length) {
      const i = this.checkpoints.length;
      let st = this.checkpoints[i - 1];
      for (let j = (i - 1) * this.every; j < i * this.every; j++) {
        st = apply(st, this.steps[j]);
        this.applies++;
      }
      this.checkpoints.push(st);
    }
  }
}
