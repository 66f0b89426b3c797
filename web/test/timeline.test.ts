import { test } from "node:test";
import assert from "node:assert/strict";
import { Timeline } from "../src/timeline/timeline.js";
import { baseline, replay } from "../src/model/cluster.js";
import { Step } from "../src/model/step.js";
import { helloSteps, resetSeq, step, stored } from "./fixtures.js";

function manySteps(n: number): Step[] {
  resetSeq();
  const out: Step[] = [];
  for (let i = 0; out.length < n; i++) {
    out.push(step({ component: "apiserver", stage: "request", trace: `t${i % 7}`, detail: { userAgent: "kubectl" } }));
    out.push(stored("Pod", `p${i % 40}`, { spec: { nodeName: `node-${(i % 3) + 1}` }, status: { phase: i % 2 ? "Running" : "Pending" } }));
  }
  return out.slice(0, n);
}

test("scrubbing to any step of 2,500 gives the state a replay from the start gives", () => {
  const steps = manySteps(2500);
  const tl = new Timeline(100);
  tl.append(steps);
  for (const k of [0, 1, 99, 100, 101, 1234, 2499, 2500, 7, 2000, 1999]) {
    assert.deepEqual(tl.stateAt(k), replay(steps.slice(0, k)), `k=${k}`);
  }
});

test("a scrub replays at most one checkpoint interval, and a step forward replays one step", () => {
  const tl = new Timeline(100);
  tl.append(manySteps(2500));
  for (const k of [2345, 17, 1999, 2500, 1, 1450]) {
    tl.applies = 0;
    tl.stateAt(k);
    assert.ok(tl.applies < 100, `scrub to ${k} replayed ${tl.applies} steps`);
  }
  tl.stateAt(1200);
  tl.applies = 0;
  tl.stateAt(1201);
  assert.equal(tl.applies, 1);
});

test("steps already in the timeline are not appended twice (a reconnect may resend them)", () => {
  const steps = manySteps(300);
  const tl = new Timeline(100);
  assert.equal(tl.append(steps.slice(0, 200)), 200);
  assert.equal(tl.append(steps.slice(150, 300)), 100);
  assert.equal(tl.length, 300);
  assert.deepEqual(tl.all().map((s) => s.seq), steps.map((s) => s.seq));
});

test("a trace can be followed step by step, skipping the others", () => {
  const steps = manySteps(50);
  const tl = new Timeline(10);
  tl.append(steps);
  const t3 = tl.trace("t3")!;
  assert.equal(tl.step(t3.first)!.trace, "t3");
  const k = tl.nextIn(t3.first + 1, "t3");
  assert.equal(tl.step(k - 1)!.trace, "t3");
  assert.ok(k > t3.first + 1);
  assert.equal(tl.prevIn(k, "t3"), t3.first + 1);
  assert.equal(tl.indexOfSeq(steps[20].seq), 21);
  assert.equal(tl.indexOfSeq(999999), -1);
});

test("an action is named by its first write, not by the read that preceded it", () => {
  resetSeq();
  const get = step({ component: "apiserver", stage: "request", trace: "apply", message: { key: "apiserver.request", args: { verb: "get", resource: "deployments.apps" } } });
  const create = step({ component: "apiserver", stage: "request", trace: "apply", message: { key: "apiserver.request", args: { verb: "create", resource: "deployments.apps" } } });
  const tl = new Timeline(10);
  tl.append([get, create]);
  assert.equal(tl.trace("apply")!.root.seq, get.seq);
  assert.equal(tl.trace("apply")!.action!.seq, create.seq);
});

test("a timeline whose oldest steps are forgotten starts from etcd as it was before them", () => {
  const all = helloSteps();
  const kept = all.slice(6); // the server forgot the Deployment's and the ReplicaSet's creation
  const tl = new Timeline(4);
  tl.append(kept);
  assert.equal(tl.stateAt(kept.length).objects["Deployment/default/hello"], undefined, "without a baseline the Deployment is missing");
  const before = replay(all.slice(0, 6)); // what etcd held just before the oldest step kept
  const keys = Object.values(before.etcd).map((e) => ({ key: e.key, modRevision: e.revisions.at(-1)!.revision, value: e.revisions.at(-1)!.value ?? "" }));
  const rev = tl.firstRevision();
  assert.ok(rev > 0);
  tl.rebase(baseline(keys, rev - 1));
  assert.ok(tl.rebased);
  const start = tl.stateAt(0);
  assert.equal(start.objects["Deployment/default/hello"]?.kind, "Deployment");
  assert.equal(start.objects["ReplicaSet/default/hello-1"]?.owners[0]?.name, "hello");
  const end = tl.stateAt(kept.length);
  assert.equal(end.objects["Deployment/default/hello"]?.name, "hello");
  assert.equal(end.objects["Pod/default/hello-1-abc"]?.phase, "Running");
  assert.equal(end.objects["Pod/default/hello-1-abc"]?.node, "node-2");
});
