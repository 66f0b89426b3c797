import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, apply, hashStep, initial, nextK, Playback, storyNote, tickDelay } from "../src/model/playback.js";
import { applyUI, initialUI } from "../src/model/ui.js";
import { Beat, TraceDetail, TraceSummary } from "../src/model/story.js";
import { Timeline } from "../src/timeline/timeline.js";
import { Step } from "../src/model/step.js";
import { resetSeq, step } from "./fixtures.js";

// A history: ten steps of boot (trace "boot"), then a learner's create
// (trace "c") of six steps, two of which are a background beat, with a
// lease renewal of another trace between them.
function history(): Step[] {
  resetSeq();
  const out: Step[] = [];
  for (let i = 0; i < 10; i++) out.push(step({ component: "kubelet/node-1", stage: "heartbeat", trace: "boot" }));
  out.push(step({ component: "apiserver", stage: "request", trace: "c" })); // 11
  out.push(step({ component: "etcd", stage: "store", trace: "c" })); // 12
  out.push(step({ component: "kubelet/node-2", stage: "heartbeat", trace: "lease" })); // 13
  out.push(step({ component: "apiserver", stage: "request", trace: "c" })); // 14: background
  out.push(step({ component: "etcd", stage: "store", trace: "c" })); // 15: background
  out.push(step({ component: "controller-manager", stage: "reconcile", trace: "c" })); // 16
  out.push(step({ component: "etcd", stage: "store", trace: "c" })); // 17
  return out;
}

function beat(steps: number[], background = false): Beat {
  return { trace: "c", first: steps[0], last: steps[steps.length - 1], kind: "request", component: "apiserver", object: {}, background, headline: { key: "beat.request" }, steps };
}

function detail(last: number, beats: Beat[]): TraceDetail {
  return { trace: "c", first: 11, last, learners: true, steps: 0, beats: beats.length, foregroundBeats: 0, backgroundSteps: 0, stepList: [], beatList: beats };
}

const createBeats = [beat([11, 12]), beat([14, 15], true), beat([16, 17])];

/** run applies actions in turn, as main.ts does, from a page that opened. */
function run(tl: Timeline, s: Playback, ...actions: Action[]): Playback {
  for (const a of actions) s = apply(s, a, tl);
  return s;
}

function loaded(steps = history()): { tl: Timeline; s: Playback } {
  const tl = new Timeline(100);
  tl.append(steps);
  const s = run(tl, initial({}), { type: "steps", batch: steps, now: 0 }, { type: "live" });
  return { tl, s };
}

test("a page that opens shows the present, not a replay of the boot", () => {
  const { tl, s } = loaded();
  assert.equal(s.k, tl.length);
  assert.equal(s.catchingUp, false);
  assert.equal(s.playing, true);
  assert.equal(hashStep(s, tl), undefined, "a link taken at the present opens at the present");
});

test("with nothing followed, a page at the present stays there as live steps arrive", () => {
  const { tl, s } = loaded();
  const more = [step({ component: "kubelet/node-1", stage: "heartbeat", trace: "lease" }), step({ component: "kubelet/node-2", stage: "heartbeat", trace: "lease" })];
  tl.append(more);
  const n = apply(s, { type: "steps", batch: more, now: 1 }, tl);
  assert.equal(n.k, tl.length, "the heartbeats are not played one by one behind the present");
  // A learner who scrubbed back stays where they went.
  const back = apply({ ...n, k: 3, playing: false }, { type: "steps", batch: more, now: 2 }, tl);
  assert.equal(back.k, 3);
});

test("a linked step waits for the chunk of the history that holds it, then shows it paused", () => {
  const steps = history();
  const tl = new Timeline(100);
  let s = initial({ step: 15 });
  tl.append(steps.slice(0, 8));
  s = apply(s, { type: "steps", batch: steps.slice(0, 8), now: 0 }, tl);
  assert.equal(s.k, 0);
  assert.equal(s.pendingStep, 15);
  tl.append(steps.slice(8));
  s = apply(s, { type: "steps", batch: steps.slice(8), now: 0 }, tl);
  assert.equal(s.k, 15);
  assert.equal(s.pendingStep, 0);
  assert.equal(s.playing, false);
  assert.equal(s.catchingUp, false);
  assert.equal(hashStep(s, tl), 15);
});

test("following a trace from a link asks for its beats at once and never shows a step before the trace began", () => {
  const steps = history();
  const tl = new Timeline(100);
  let s = initial({ trace: "c" });
  assert.equal(s.read, "now");
  assert.equal(s.reading, true);
  s = apply(s, { type: "reading" }, tl);
  assert.equal(s.read, "");
  tl.append(steps.slice(0, 5));
  s = run(tl, s, { type: "steps", batch: steps.slice(0, 5), now: 0 }, { type: "live" });
  assert.equal(s.k, 5, "the trace has not begun: the present");
  tl.append(steps.slice(5));
  s = apply(s, { type: "steps", batch: steps.slice(5), now: 7 }, tl);
  assert.equal(s.k, 10, "clamped to the trace's first step");
  assert.equal(s.heardAt, 7);
  assert.equal(s.read, "soon", "its new steps ask for another reading");
});

test("a follower plays the foreground beats' steps, skipping the background and other traces", () => {
  const { tl, s: s0 } = loaded();
  let s = run(tl, s0, { type: "follow", trace: "c", now: 0 });
  assert.equal(s.k, 10);
  assert.equal(nextK(s, tl).k, -1, "no beats read yet: wait");
  s = run(tl, s, { type: "reading" }, { type: "story", trace: "c", detail: detail(17, createBeats) });
  const shown: number[] = [];
  for (let i = 0; i < 10; i++) {
    const n = apply(s, { type: "tick", now: 1, stepMode: false }, tl);
    if (n.k === s.k) break;
    assert.equal(n.animate, true);
    s = n;
    shown.push(tl.step(s.k - 1)!.seq);
  }
  assert.deepEqual(shown, [11, 12, 16, 17]);
  const all = run(tl, s, { type: "home" }, { type: "toggleBackground" });
  assert.equal(all.k, 11);
  assert.equal(all.playing, false);
  assert.equal(nextK(all, tl).k, 12);
  assert.equal(nextK({ ...all, k: 12 }, tl).k, 14, "with the background shown, every step of the trace plays");
});

test("a follower waits at a step its last reading of the beats did not cover, and asks for a reading once", () => {
  const { tl, s: s0 } = loaded();
  let s = run(tl, s0, { type: "follow", trace: "c", now: 0 }, { type: "reading" },
    { type: "story", trace: "c", detail: detail(12, [beat([11, 12])]) });
  s = run(tl, s, { type: "tick", now: 1, stepMode: false }, { type: "tick", now: 1, stepMode: false });
  assert.equal(s.k, 12);
  assert.equal(s.read, "");
  s = apply(s, { type: "tick", now: 1, stepMode: false }, tl);
  assert.equal(s.k, 12, "step 14 is not in a beat read yet");
  assert.equal(s.read, "soon");
  s = apply(s, { type: "reading" }, tl);
  const again = apply(s, { type: "tick", now: 2, stepMode: false }, tl);
  assert.equal(again, s, "a reading under way is not asked for again, and nothing changed");
  s = apply(s, { type: "story", trace: "c", detail: detail(17, createBeats) }, tl);
  assert.equal(s.reading, false);
  s = apply(s, { type: "tick", now: 3, stepMode: false }, tl);
  assert.equal(s.k, 16);
});

test("an older reading of the beats never replaces a newer one, nor one of another trace", () => {
  const { tl, s: s0 } = loaded();
  let s = run(tl, s0, { type: "follow", trace: "c", now: 0 }, { type: "story", trace: "c", detail: detail(17, createBeats) });
  s = apply(s, { type: "story", trace: "c", detail: detail(12, [beat([11, 12])]) }, tl);
  assert.equal(s.story?.last, 17);
  s = apply(s, { type: "story", trace: "other", detail: { ...detail(20, []), trace: "other" } }, tl);
  assert.equal(s.story?.trace, "c");
  assert.equal(storyNote(initial({ trace: "x" })), "storyLoading");
  const failed = run(tl, initial({ trace: "x" }), { type: "storyFailed", trace: "x" });
  assert.equal(failed.storyFailed, "x");
  assert.equal(storyNote(failed), "storyGone", "a story the server no longer keeps is not shown as loading");
  assert.equal(storyNote(initial({})), "storyNone");
  assert.equal(nextK({ ...failed, k: 0 }, tl).k, -1, "x has no steps");
  assert.equal(nextK({ ...run(tl, s0, { type: "follow", trace: "c", now: 0 }, { type: "storyFailed", trace: "c" }), k: 12 }, tl).k, 14,
    "a trace whose beats cannot be read plays whole");
});

test("the player stays on a step the cluster holds for Next", () => {
  const steps = history();
  steps[11] = { ...steps[11], outcome: "waiting" }; // seq 12
  const { tl, s: s0 } = loaded(steps);
  let s = run(tl, s0, { type: "follow", trace: "c", now: 0 }, { type: "story", trace: "c", detail: detail(17, createBeats) });
  s = run(tl, s, { type: "tick", now: 1, stepMode: true, held: [steps[11]] }, { type: "tick", now: 1, stepMode: true, held: [steps[11]] });
  assert.equal(s.k, 12);
  assert.equal(apply(s, { type: "tick", now: 99999, stepMode: true, held: [steps[11]] }, tl), s, "held: it stays, however long");
  assert.equal(apply(s, { type: "tick", now: 1, stepMode: true, held: [] }, tl).k, 16, "released: it moves on");
});

test("in step mode the follower moves to the trace whose step the cluster holds", () => {
  const { tl, s: s0 } = loaded();
  const held = [{ ...tl.step(10)!, outcome: "waiting" as const }];
  let s = run(tl, s0, { type: "follow", trace: "boot", now: 0 });
  s = apply(s, { type: "pacer", mode: "live", held, now: 1 }, tl);
  assert.equal(s.trace, "boot", "not in step mode");
  s = apply(s, { type: "pacer", mode: "step", held, now: 1 }, tl);
  assert.equal(s.trace, "c");
  assert.equal(s.read, "now");
});

test("an action gone quiet for three seconds hands the diagram to the present, once, but not in step mode", () => {
  const { tl, s: s0 } = loaded();
  let s = run(tl, s0, { type: "follow", trace: "c", now: 1000 }, { type: "reading" }, { type: "story", trace: "c", detail: detail(17, createBeats) });
  for (let i = 0; i < 4; i++) s = apply(s, { type: "tick", now: 1500, stepMode: false }, tl);
  assert.equal(s.k, 17);
  const more = step({ component: "kubelet/node-1", stage: "heartbeat", trace: "boot" });
  tl.append([more]);
  s = apply(s, { type: "steps", batch: [more], now: 1600 }, tl);
  assert.equal(s.k, 17, "following: the present does not pull the diagram along");
  assert.equal(apply(s, { type: "tick", now: 3999, stepMode: false }, tl), s, "not quiet for long enough");
  assert.equal(apply(s, { type: "tick", now: 9000, stepMode: true }, tl), s, "step mode: the learner moves it");
  s = apply(s, { type: "tick", now: 4000, stepMode: false }, tl);
  assert.equal(s.k, 18);
  assert.equal(s.jumped, true);
  assert.equal(s.animate, false);
  const more2 = step({ component: "kubelet/node-1", stage: "heartbeat", trace: "boot" });
  tl.append([more2]);
  s = run(tl, s, { type: "steps", batch: [more2], now: 9000 }, { type: "tick", now: 99999, stepMode: false });
  assert.equal(s.k, 18, "it jumps once per quiet spell");
});

test("forward, back, home, end and the scrubber pause or play as a learner expects", () => {
  const { tl, s: s0 } = loaded();
  let s = run(tl, s0, { type: "follow", trace: "c", now: 0 }, { type: "story", trace: "c", detail: detail(17, createBeats) }, { type: "home" });
  assert.deepEqual([s.k, s.playing], [11, false]);
  s = apply(s, { type: "forward" }, tl);
  assert.deepEqual([s.k, s.playing, s.animate], [12, false, true]);
  s = apply(s, { type: "forward" }, tl);
  assert.equal(s.k, 16);
  s = apply(s, { type: "back" }, tl);
  assert.deepEqual([s.k, s.animate], [15, false], "back walks every step of the trace");
  s = apply(s, { type: "scrub", k: 999 }, tl);
  assert.equal(s.k, tl.length, "clamped to the history");
  s = apply(s, { type: "scrub", k: 3 }, tl);
  s = apply(s, { type: "end" }, tl);
  assert.deepEqual([s.k, s.playing], [tl.length, true]);
  s = run(tl, s, { type: "togglePlay" }, { type: "togglePlay" });
  assert.equal(s.playing, true);
  const all = run(tl, s, { type: "chooseTrace", trace: "", now: 0 }, { type: "scrub", k: 0 }, { type: "forward" });
  assert.equal(all.k, 1, "no trace followed: every step");
});

test("Apply and a terminal command start following their trace from its first step", () => {
  const { tl, s: s0 } = loaded();
  const s = apply({ ...s0, playing: false }, { type: "follow", trace: "c", now: 5 }, tl);
  assert.deepEqual([s.trace, s.k, s.playing, s.read], ["c", 10, true, "now"]);
  const list: TraceSummary[] = [
    { trace: "old", first: 2, last: 3, learners: true, request: { verb: "create" }, steps: 2, beats: 1, foregroundBeats: 1, backgroundSteps: 0 },
    { trace: "boot", first: 12, last: 13, learners: false, steps: 2, beats: 1, foregroundBeats: 0, backgroundSteps: 2 },
    { trace: "c", first: 11, last: 17, learners: true, request: { verb: "create" }, steps: 6, beats: 3, foregroundBeats: 2, backgroundSteps: 2 },
  ];
  const c = apply({ ...s0, playing: false }, { type: "command", traces: list, after: 10, now: 5 }, tl);
  assert.deepEqual([c.trace, c.k, c.playing], ["c", 10, true]);
  assert.equal(apply(c, { type: "command", traces: list, after: 10, now: 6 }, tl), c, "the same trace again changes nothing");
  assert.equal(apply(s0, { type: "command", traces: list, after: 20, now: 6 }, tl), s0, "a command that began nothing");
});

test("replaying a file starts at its beginning with nothing followed, and going back to live catches up again", () => {
  const { tl, s: s0 } = loaded();
  const f = run(tl, s0, { type: "follow", trace: "c", now: 0 }, { type: "replayFile", name: "x.json" });
  assert.deepEqual([f.offline, f.trace, f.k, f.playing, f.catchingUp, f.story], ["x.json", "", 0, true, false, undefined]);
  assert.equal(apply(f, { type: "follow", trace: "c", now: 0 }, tl).read, "", "no reading of a file's trace from the server");
  const live = apply(f, { type: "backToLive" }, tl);
  assert.deepEqual([live.offline, live.catchingUp, live.k], ["", true, 0]);
});

test("showing another sandbox forgets what was followed here and opens at the other's present, at the same speed", () => {
  const { tl, s: s0 } = loaded();
  const f = run(tl, s0, { type: "speed", speed: 2 }, { type: "follow", trace: "c", now: 0 }, { type: "toggleBeat", first: 11 },
    { type: "story", trace: "c", detail: detail(17, createBeats) }, { type: "togglePlay" });
  const other = new Timeline(100);
  const sw = apply(f, { type: "switchSandbox" }, other);
  assert.deepEqual([sw.trace, sw.story, sw.expanded.size, sw.k, sw.playing, sw.catchingUp, sw.speed, sw.read], ["", undefined, 0, 0, true, true, 2, ""]);
  const steps = history();
  other.append(steps);
  assert.equal(run(other, sw, { type: "steps", batch: steps, now: 1 }, { type: "live" }).k, other.length, "the present, not the other's boot");
});

test("a followed beat plays in at most a second and a half at the default pace", () => {
  const { tl, s: s0 } = loaded();
  const big = beat([11, 12, 14, 15, 16, 17]);
  const s = run(tl, s0, { type: "follow", trace: "c", now: 0 }, { type: "story", trace: "c", detail: detail(17, [big]) });
  assert.equal(tickDelay(s, tl), 250);
  assert.equal(tickDelay({ ...s, index: new Map([...s.index].map(([k]) => [k, beat([11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23])])) }, tl), 125);
  assert.equal(tickDelay({ ...s, trace: "" }, tl), 250);
});

test("the page's settings come from the URL first, and an app API answer overrides the stream's pacer only when newer", () => {
  const stored = new Map([["glassplane.lang", "en"], ["glassplane.theme", "light"]]);
  let u = initialUI({ query: new URLSearchParams("lang=zh-TW&present"), stored: (k) => stored.get(k) ?? null, prefersLight: false, browserLang: "en", panel: "story" });
  assert.deepEqual([u.lang, u.theme, u.present, u.panel], ["zh-TW", "light", true, "story"]);
  u = applyUI(u, { type: "panelBy", by: -1 });
  assert.equal(u.panel, "playground");
  u = applyUI(u, { type: "panelBy", by: -1 });
  assert.equal(u.panel, "lessons", "the tabs go round");
  const streamed = { mode: "step" as const, delayMs: 0, breakpoints: [], paused: [], version: 7 };
  u = applyUI(applyUI(u, { type: "conn", status: "open" }), { type: "pacer", pacer: streamed });
  assert.equal(applyUI(u, { type: "pacerAnswer", pacer: { ...streamed, mode: "live", version: 6 } }).pacer, streamed, "an older answer");
  assert.equal(applyUI(u, { type: "pacerAnswer", pacer: { ...streamed, mode: "live" } }).pacer, streamed, "an answer of the same version");
  assert.equal(applyUI(u, { type: "pacerAnswer", pacer: { ...streamed, mode: "live", version: 8 } }).pacer?.mode, "live", "a newer answer");
  assert.equal(applyUI(applyUI(u, { type: "conn", status: "closed" }), { type: "pacerAnswer", pacer: { ...streamed, mode: "live" } }).pacer?.mode, "live");
  const pg = applyUI(u, { type: "panel", panel: "playground" });
  assert.equal(applyUI(pg, { type: "applied", ok: true }).panel, "story");
  assert.equal(applyUI(pg, { type: "applied", ok: false }).panel, "playground");
  assert.equal(applyUI(applyUI(u, { type: "panel", panel: "terminal" }), { type: "applied", ok: true }).panel, "terminal");
  assert.deepEqual([...applyUI(applyUI(u, { type: "etcdKey", key: "/a" }), { type: "etcdKey", key: "/b" }).etcdOpen], ["/a", "/b"]);
});
