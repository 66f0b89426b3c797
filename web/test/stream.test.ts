import { test } from "node:test";
import assert from "node:assert/strict";
import { SocketLike, StepStream } from "../src/api/stream.js";
import { Step } from "../src/model/step.js";
import { resetSeq, step } from "./fixtures.js";

class FakeSocket implements SocketLike {
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  close() { this.closed = true; }
  send(m: object) { this.onmessage?.({ data: JSON.stringify(m) }); }
  drop() { this.onclose?.({}); }
}

function harness(since = 0) {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const got: Step[] = [];
  const lives: number[] = [];
  const stream = new StepStream({
    url: (s) => `ws://x/stream?since=${s}`,
    connect: (u) => { const s = new FakeSocket(u); sockets.push(s); return s; },
    setTimer: (fn, ms) => { timers.push({ fn, ms }); return timers.length; },
    clearTimer: () => {},
    minDelay: 100, maxDelay: 800,
  }, { steps: (s) => got.push(...s), live: () => lives.push(got.length) }, since);
  return { stream, sockets, timers, got, lives };
}

const batch = (...seqs: number[]) => { resetSeq(); return seqs.map((n) => ({ ...step({ component: "etcd", stage: "store" }), seq: n })); };

test("after a dropped connection the stream resumes from the last step it delivered", () => {
  const h = harness();
  h.stream.start();
  assert.equal(h.sockets[0].url, "ws://x/stream?since=0");
  h.sockets[0].send({ type: "steps", steps: batch(1, 2, 3) });
  h.sockets[0].drop();
  assert.equal(h.timers.length, 1);
  h.timers[0].fn();
  assert.equal(h.sockets[1].url, "ws://x/stream?since=3");
  h.sockets[1].send({ type: "steps", steps: batch(2, 3, 4) });
  assert.deepEqual(h.got.map((s) => s.seq), [1, 2, 3, 4], "nothing lost, nothing twice");
});

test("a gap message makes the stream reconnect from what it has, not skip ahead", () => {
  const h = harness(10);
  h.stream.start();
  h.sockets[0].send({ type: "steps", steps: batch(11, 12) });
  h.sockets[0].send({ type: "gap", since: 40 });
  assert.ok(h.sockets[0].closed);
  h.timers[0].fn();
  assert.equal(h.sockets[1].url, "ws://x/stream?since=12");
});

test("reconnection waits longer after each failure, up to a limit, and resets once connected", () => {
  const h = harness();
  h.stream.start();
  for (let i = 0; i < 5; i++) {
    h.sockets[i].drop();
    h.timers[i].fn();
  }
  assert.deepEqual(h.timers.map((t) => t.ms), [100, 200, 400, 800, 800]);
  h.sockets[5].onopen?.({});
  h.sockets[5].drop();
  assert.equal(h.timers[5].ms, 100);
});

test("stopping the stream closes the socket and never reconnects", () => {
  const h = harness();
  h.stream.start();
  h.stream.stop();
  assert.ok(h.sockets[0].closed);
  assert.equal(h.timers.length, 0);
});

test("pacer and component messages reach their handlers", () => {
  let pacer = "", comps = 0;
  const s: FakeSocket[] = [];
  const stream = new StepStream({ url: () => "u", connect: (u) => { const x = new FakeSocket(u); s.push(x); return x; } },
    { steps: () => {}, pacer: (p) => { pacer = p.mode; }, components: (c) => { comps = c.length; } });
  stream.start();
  s[0].send({ type: "pacer", pacer: { mode: "step", delayMs: 0, breakpoints: [], paused: [] } });
  s[0].send({ type: "components", components: [{ name: "scheduler", running: true }, { name: "kubelet/node-1", running: false }] });
  assert.equal(pacer, "step");
  assert.equal(comps, 2);
  stream.stop();
});

test("the live message comes after every page of the history", () => {
  const h = harness();
  h.stream.start();
  h.sockets[0].send({ type: "steps", steps: batch(1, 2) });
  h.sockets[0].send({ type: "steps", steps: batch(3) });
  assert.deepEqual(h.lives, []);
  h.sockets[0].send({ type: "live", since: 3 });
  assert.deepEqual(h.lives, [3], "told once, after the 3 steps of history");
});
