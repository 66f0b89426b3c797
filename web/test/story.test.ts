import { test } from "node:test";
import assert from "node:assert/strict";
import { Beat, beatIndex, catchUp, followDelay, heldTrace, headlineText, pickFollow, playable, shouldPlay, staysAt, story, TraceSummary } from "../src/model/story.js";
import { lanes, layoutSwimlane, touched } from "../src/model/swimlane.js";
import { beatSentence } from "../src/i18n/narrate.js";
import { Step } from "../src/model/step.js";

// A seed create as the server groups it (values from a recorded trace,
// controlplane/steps/testdata/beats/seed-create.jsonl), with one background
// beat between the foreground ones and a last one after them.
let seq = 100;
const stepsOf: Step[] = [];
function beat(kind: string, component: string, background: boolean, comps: string[], args: Record<string, string>, object: Beat["object"]): Beat {
  const steps: number[] = [];
  for (const c of comps) {
    seq++;
    steps.push(seq);
    stepsOf.push({ seq, trace: "t", parent: 0, time: "", component: c, stage: "request", object: {}, outcome: "ok", message: { key: "x" } });
  }
  return { trace: "t", first: steps[0], last: steps[steps.length - 1], kind, component, object, background, headline: { key: `beat.${kind}`, args }, steps };
}
const pod = { kind: "Pod", namespace: "default", name: "helloworld-deployment-77dfbfc798-9vmcp" };
const seed: Beat[] = [
  beat("request", "apiserver", false, ["apiserver", "apiserver", "etcd", "apiserver"],
    { user: "admin", verb: "create", resource: "deployments.apps", kind: "Deployment", name: "helloworld-deployment", namespace: "default",
      code: "201", outcome: "ok", plugins: "5", key: "/registry/deployments/default/helloworld-deployment", revision: "457" },
    { kind: "Deployment", namespace: "default", name: "helloworld-deployment" }),
  beat("reconcile", "controller-manager", false, ["controller-manager", "apiserver", "etcd"],
    { controller: "deployment-controller", decision: "create ReplicaSet helloworld-deployment-77dfbfc798", writes: "4", outcome: "ok" },
    { kind: "Deployment", namespace: "default", name: "helloworld-deployment" }),
  beat("request", "apiserver", true, ["apiserver", "apiserver", "etcd"],
    { user: "system:kube-controller-manager", verb: "update", resource: "replicasets.apps/status", outcome: "ok", code: "200", revision: "466" },
    { kind: "replicasets", namespace: "default", name: "helloworld-deployment-77dfbfc798" }),
  beat("reconcile", "controller-manager", false, ["controller-manager", "apiserver", "etcd"],
    { controller: "replicaset-controller", decision: "create 1 pods", writes: "1", outcome: "ok" },
    { kind: "ReplicaSet", namespace: "default", name: "helloworld-deployment-77dfbfc798" }),
  beat("schedule", "scheduler", false, ["scheduler", "scheduler", "apiserver", "etcd"],
    { node: "node-1", feasible: "3", nodes: "3", outcome: "ok" }, pod),
  beat("kubelet", "kubelet/node-1", false, ["kubelet/node-1", "kubelet/node-1", "apiserver", "etcd"],
    { node: "node-1", image: "zxcvbnius/docker-demo:latest", phase: "Running", podIP: "10.244.1.2", outcome: "ok" }, pod),
  beat("kubelet", "kubelet/node-1", true, ["kubelet/node-1", "apiserver"], { node: "node-1", phase: "Running", outcome: "ok" }, pod),
];

test("the story numbers the foreground beats in the order they began and counts the background", () => {
  const st = story([...seed].reverse(), false);
  assert.deepEqual(st.items.map((i) => [i.n, i.beat.kind, i.beat.headline.args?.controller ?? ""]), [
    [1, "request", ""], [2, "reconcile", "deployment-controller"], [3, "reconcile", "replicaset-controller"],
    [4, "schedule", ""], [5, "kubelet", ""]]);
  assert.equal(st.foreground, 5);
  assert.equal(st.backgroundBeats, 2);
  assert.equal(st.backgroundSteps, 5);
});

test("showing the background puts its beats in place, unnumbered, and the foreground keeps its numbers", () => {
  const st = story(seed, true);
  assert.deepEqual(st.items.map((i) => i.n), [1, 2, 0, 3, 4, 5, 0]);
  assert.equal(st.items[2].beat.headline.args?.resource, "replicasets.apps/status");
});

test("a follower plays the steps of the foreground beats only, or the whole trace when nobody began it", () => {
  const plays = playable(seed)!;
  assert.equal(plays.size, seed.filter((b) => !b.background).reduce((n, b) => n + b.steps.length, 0));
  assert.ok(!plays.has(seed[2].steps[0]) && plays.has(seed[3].steps[0]));
  assert.equal(playable(seed.map((b) => ({ ...b, background: true }))), undefined);
  assert.equal(beatIndex(seed).get(seed[4].steps[2])?.kind, "schedule");
  const bg = stepsOf.find((s) => s.seq === seed[2].steps[0])!;
  assert.ok(!shouldPlay(bg, plays));
  assert.ok(shouldPlay({ ...bg, outcome: "waiting" }, plays), "a step the cluster holds for Next is always shown");
});

test("at the default pace a beat of many steps takes at most a second and a half, and a short one a step a second per speed", () => {
  assert.equal(followDelay(4, 49) * 49, 1500);
  assert.equal(followDelay(4, 3), 250);
  assert.equal(followDelay(1, 2), 1000);
  assert.ok(followDelay(16, 49) * 49 <= 400);
  const total = seed.filter((b) => !b.background).reduce((ms, b) => ms + followDelay(4, b.steps.length) * b.steps.length, 0);
  assert.ok(total <= 10000, `${total} ms`);
});

test("each beat's headline reads as a sentence with its real values, in English and Traditional Chinese", () => {
  const en = seed.map((b) => beatSentence(b, "en"));
  assert.equal(en[0], "admin asks the API server to create Deployment default/helloworld-deployment: 5 admission plugins let it through, " +
    "etcd stores /registry/deployments/default/helloworld-deployment at revision 457, and the answer is 201.");
  assert.match(en[1], /^The deployment-controller sees Deployment default\/helloworld-deployment and acts: create ReplicaSet helloworld-deployment-77dfbfc798 \(API writes: 4\)\.$/);
  assert.equal(en[4], "The scheduler places pod default/helloworld-deployment-77dfbfc798-9vmcp on node-1: 3 of 3 nodes fit.");
  assert.equal(en[5], "The kubelet on node-1 pulls zxcvbnius/docker-demo:latest, starts pod default/helloworld-deployment-77dfbfc798-9vmcp and reports it Running at 10.244.1.2.");
  assert.equal(en[6], "The kubelet on node-1 reports pod default/helloworld-deployment-77dfbfc798-9vmcp as Running.");
  const zh = seed.map((b) => beatSentence(b, "zh-TW"));
  assert.equal(zh[4], "排程器把 Pod default/helloworld-deployment-77dfbfc798-9vmcp 放到 node-1：3 個節點中有 3 個合適。");
  assert.ok(zh[0].includes("Deployment default/helloworld-deployment") && zh[0].includes("457") && zh[0].includes("201"), zh[0]);
  for (const s of [...en, ...zh]) assert.ok(!/\{\w+\}|undefined/.test(s), s);
});

test("a refused request, a read, an idle controller and an unschedulable pod each say so", () => {
  const base = seed[0];
  const denied = { ...base, object: { kind: "configmaps", namespace: "kube-system" }, headline: { key: "beat.request", args: { user: "alice", verb: "create", resource: "configmaps", code: "403", outcome: "denied", plugins: "0" } } };
  assert.equal(headlineText(denied).key, "beat.request.failed");
  assert.equal(beatSentence(denied, "en"), "alice asks the API server to create configmaps, and is refused: 403 (denied).");
  const read = { ...base, headline: { key: "beat.request", args: { user: "admin", verb: "get", resource: "pods", code: "200", outcome: "ok" } } };
  assert.equal(headlineText(read).key, "beat.request.read");
  const absent = { ...base, headline: { key: "beat.request", args: { user: "admin", verb: "get", resource: "deployments.apps", code: "404", outcome: "error" } } };
  assert.equal(beatSentence(absent, "en"), "admin asks the API server to get Deployment default/helloworld-deployment: there is none yet (404).");
  assert.equal(headlineText({ ...seed[1], headline: { key: "beat.reconcile", args: { controller: "x", writes: "0", outcome: "ok" } } }).key, "beat.reconcile.idle");
  assert.equal(headlineText({ ...seed[4], headline: { key: "beat.schedule", args: { feasible: "0", nodes: "3", outcome: "ok" } } }).key, "beat.schedule.failed");
  assert.equal(headlineText({ ...seed[0], kind: "other", headline: { key: "beat.other", args: {} } }).key, "beat.other");
});

test("the swimlane has a lane for every component the trace touched, in the story's order, kubectl for a person", () => {
  assert.deepEqual(lanes(seed, stepsOf), ["kubectl", "apiserver", "etcd", "controller-manager", "scheduler", "kubelet/node-1"]);
  const bySeq = new Map(stepsOf.map((s) => [s.seq, s]));
  assert.deepEqual(touched(seed[0], bySeq), ["kubectl", "apiserver", "etcd"]);
  assert.deepEqual(touched(seed[2], bySeq), ["controller-manager", "apiserver", "etcd"], "a controller's own request starts in its lane");
});

test("the swimlane lays the shown beats down in time order, each an arrow chain from the lane that acted", () => {
  const st = story(seed, false);
  const l = layoutSwimlane(seed, st.items, stepsOf, { width: 420 });
  assert.equal(l.lanes.length, 6);
  const x = Object.fromEntries(l.lanes.map((a) => [a.id, a.x]));
  assert.ok(l.lanes.every((a, i) => i === 0 || a.x > l.lanes[i - 1].x));
  assert.deepEqual(l.rows.map((r) => r.n), [1, 2, 3, 4, 5]);
  assert.ok(l.rows.every((r, i) => i === 0 || r.y > l.rows[i - 1].y));
  assert.deepEqual(l.rows[0].arrows.map((a) => [a.from, a.to]), [["kubectl", "apiserver"], ["apiserver", "etcd"]]);
  assert.equal(l.rows[0].arrows[0].x1, x.kubectl);
  assert.equal(l.rows[3].actor, "scheduler");
  assert.deepEqual(l.rows[4].arrows.map((a) => a.to), ["apiserver", "etcd"]);
  assert.ok(l.height >= l.rows[4].y + 10);
  assert.equal(layoutSwimlane(seed, story(seed, true).items, stepsOf).rows.length, 7);
});

test("the player stays on the newest step the cluster holds in the followed trace until Next releases it", () => {
  const held = (seq: number, trace = "t"): Step => ({ seq, trace, parent: 0, time: "", component: "scheduler", stage: "bind", object: {}, outcome: "waiting", message: { key: "x" } });
  assert.ok(staysAt(held(10), [held(10)], "t"));
  assert.ok(!staysAt(held(10), [], "t"), "released");
  assert.ok(!staysAt(held(10), [held(10), held(12)], "t"), "a later held step of the trace is the one to show");
  assert.ok(staysAt(held(12), [held(10), held(12), held(14, "other")], "t"));
  assert.ok(!staysAt(held(10), [held(10)], ""), "not following a trace");
  assert.ok(!staysAt({ ...held(10), outcome: "ok" }, [held(10)], "t"));
  assert.equal(heldTrace("t", [held(10, "u"), held(12, "v")]), "v", "the cluster waits on another action: follow it");
  assert.equal(heldTrace("t", [held(10, "u"), held(12)]), "", "the followed trace is held: stay");
  assert.equal(heldTrace("t", []), "");
  assert.equal(heldTrace("", [held(10, "u")]), "", "nothing followed: nothing to move from");
});

test("after a terminal command the story follows the first action it began that changes something", () => {
  const sum = (trace: string, first: number, verb: string, learners = true): TraceSummary =>
    ({ trace, first, last: first + 5, learners, request: { verb }, steps: 6, beats: 1, foregroundBeats: 1, backgroundSteps: 0 });
  const list = [sum("old", 10, "create"), sum("get", 50, "get"), sum("scale", 60, "patch"), sum("sys", 55, "update", false), sum("later", 70, "delete")];
  assert.equal(pickFollow(list, 40), "scale");
  assert.equal(pickFollow([sum("get", 50, "get")], 40), "get", "a read is followed when it is all the command did");
  assert.equal(pickFollow(list, 100), "");
});

test("a follower that played all of a quiet action jumps to the present once", () => {
  const p = { playing: true, hasNext: false, reading: false, quietMs: 3000, jumped: false };
  assert.ok(catchUp(p));
  assert.ok(!catchUp({ ...p, quietMs: 2999 }), "the action may still bring steps");
  assert.ok(!catchUp({ ...p, hasNext: true }), "steps of the action are still to show");
  assert.ok(!catchUp({ ...p, reading: true }), "the beats are being read again");
  assert.ok(!catchUp({ ...p, jumped: true }), "once per quiet spell");
  assert.ok(!catchUp({ ...p, playing: false }), "a paused player stays where the learner left it");
});

test("a learner's stop of a component is told as their own act, in both languages", () => {
  const stop = { ...seed[0], kind: "component", component: "kubelet/node-2", object: {},
    headline: { key: "beat.component", args: { component: "kubelet/node-2", action: "stop", outcome: "ok" } } };
  assert.equal(headlineText(stop).key, "beat.component.stop");
  assert.ok(beatSentence(stop, "en").startsWith("You stop the kubelet on node-2."), beatSentence(stop, "en"));
  assert.ok(beatSentence(stop, "zh-TW").startsWith("你停止了node-2 上的 kubelet。"), beatSentence(stop, "zh-TW"));
  const start = { ...stop, headline: { key: "beat.component", args: { component: "kubelet/node-2", action: "start", outcome: "ok" } } };
  assert.equal(headlineText(start).key, "beat.component.start");
});

test("a learner's restore of a snapshot is told as their own act, with what etcd wrote, in both languages", () => {
  const restore = { ...seed[0], kind: "component", component: "etcd", object: {},
    headline: { key: "beat.component", args: { component: "etcd", action: "restore", snapshot: "40", revision: "77", written: "3", deleted: "1", outcome: "ok" } } };
  assert.equal(headlineText(restore).key, "beat.component.restore");
  assert.ok(beatSentence(restore, "en").startsWith("You restore the snapshot saved at revision 40. etcd puts back 3 keys and deletes 1"), beatSentence(restore, "en"));
  assert.ok(beatSentence(restore, "zh-TW").includes("放回 3 個 key、刪除 1 個"), beatSentence(restore, "zh-TW"));
});

test("a story's count says one beat and one step in the singular, in both languages", async () => {
  const { storyCount } = await import("../src/view/story.js");
  assert.equal(storyCount(1, 1, "en"), "1 beat, 1 step");
  assert.equal(storyCount(3, 12, "en"), "3 beats, 12 steps");
  assert.equal(storyCount(1, 12, "zh-TW"), "1 段，12 個步驟");
});
