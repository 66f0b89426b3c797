import { test } from "node:test";
import assert from "node:assert/strict";
import {
  checkState, clampStep, doOutput, firstSentence, Lesson, localize, pollFor, Progress, stepRows,
} from "../src/model/lessons.js";
import { LessonClient } from "../src/api/lessons.js";
import { formatHash, parseHash } from "../src/model/viewstate.js";

// Three steps shaped like lessons/01-kubectl-create.yaml.
const lesson: Lesson = {
  id: "kubectl-create", source: "embedded:01-kubectl-create.yaml",
  title: { en: "What happens when you kubectl create a Deployment", "zh-TW": "執行 kubectl create 建立 Deployment 時" },
  summary: { en: "Follow one Deployment.", "zh-TW": "跟著一個 Deployment。" },
  steps: [
    { id: "step-mode", text: { en: "A real control plane moves fast: all of this takes well under a second. Turn on step mode.",
      "zh-TW": "真正的控制平面動作很快，整個流程不到一秒就跑完了。先開啟「逐步模式」。" },
    actions: [{ pacer: { mode: "step" } }], check: { pacer: { mode: "step" } },
    hint: { en: "Choose step.", "zh-TW": "選擇 step。" }, code: [{ package: "controlplane/steps", function: "(*Pacer).Wait" }] },
    { id: "send", text: { en: "Now send the Deployment. It waits.", "zh-TW": "現在送出這個 Deployment。" }, check: { pacer: {} } },
    { id: "recap", recap: true, text: { en: "One command, seven hops: kubectl → etcd.", "zh-TW": "一個指令，七個關卡：kubectl → etcd。" },
      question: { en: "Why?", "zh-TW": "為什麼？" }, check: { none: true } },
  ],
};

const progress = (p: Partial<Progress>): Progress => ({ lesson: "kubectl-create", step: 0, done: false, passed: [], checks: [], ...p });
const verdict = (step: number, passed: boolean, detail: string) => ({ step, id: lesson.steps[step].id, passed, detail, at: "2026-01-01T00:00:00Z" });

test("a step's check reads 'checking', then 'not yet' with why, then 'done' once the sandbox makes it true", () => {
  assert.deepEqual(checkState(lesson, undefined, 0), { state: "unchecked" });
  assert.deepEqual(checkState(lesson, progress({}), 0), { state: "unchecked" });
  const waiting = progress({ checks: [verdict(0, false, "the pacer is in live mode, 0 step(s) waiting")] });
  assert.deepEqual(checkState(lesson, waiting, 0), { state: "waiting", detail: "the pacer is in live mode, 0 step(s) waiting" });
  const passed = progress({ step: 1, passed: [0], checks: [verdict(0, true, "the pacer is in step mode, 0 step(s) waiting")] });
  assert.equal(checkState(lesson, passed, 0).state, "passed");
  assert.deepEqual(checkState(lesson, passed, 1), { state: "unchecked" });
  // A step stays done when a later look at it fails (the learner moved on and changed the cluster).
  const later = progress({ step: 2, passed: [0, 1], checks: [verdict(0, false, "the pacer is in live mode")] });
  assert.deepEqual(checkState(lesson, later, 0), { state: "passed", detail: "" });
  assert.deepEqual(checkState(lesson, later, 2), { state: "recap" });
  // A passed recap is still a recap, so the panel says "Lesson complete." rather than a check's "Done".
  const finished = progress({ step: 2, done: true, passed: [0, 1, 2], checks: [verdict(2, true, "nothing to check")] });
  assert.deepEqual(checkState(lesson, finished, 2), { state: "recap" });
});

test("the panel polls the engine's current step, asks for a step ahead by number, and leaves a passed step alone", () => {
  assert.deepEqual(pollFor(undefined, 0), { kind: "progress" });
  assert.deepEqual(pollFor(progress({ step: 1, passed: [0] }), 1), { kind: "progress" });
  assert.deepEqual(pollFor(progress({ step: 0 }), 2), { kind: "check", step: 2 });
  assert.deepEqual(pollFor(progress({ step: 1, passed: [0] }), 0), { kind: "none" }, "a passed step needs no check");
  assert.deepEqual(pollFor(progress({ step: 2, done: true, passed: [0, 1, 2] }), 2), { kind: "none" });
  assert.deepEqual(pollFor(progress({ step: 2, done: true, passed: [0, 1, 2] }), 1), { kind: "none" });
});

test("the step list labels each step by its first sentence, in the learner's language, and ticks passed steps", () => {
  const rows = stepRows(lesson, progress({ step: 1, passed: [0] }), 1, "en");
  assert.deepEqual(rows.map((r) => [r.label, r.passed, r.current, r.viewed, r.recap]), [
    ["A real control plane moves fast", true, false, false, false],
    ["Now send the Deployment.", false, true, true, false],
    ["One command, seven hops", false, false, false, true],
  ]);
  const zh = stepRows(lesson, undefined, 0, "zh-TW");
  assert.deepEqual(zh.map((r) => r.label), ["真正的控制平面動作很快，整個流程不到一秒就跑完了。", "現在送出這個 Deployment。", "一個指令，七個關卡"], "a label stops at the colon, as in English");
  assert.equal(zh[0].current, true);
  const long = firstSentence("word ".repeat(40));
  assert.ok(long.length <= 70 && long.endsWith("…"), long);
});

test("lesson text falls back to English when a translation is missing, and a link's step stays inside the lesson", () => {
  assert.equal(localize({ en: "Hello", "zh-TW": "" }, "zh-TW"), "Hello");
  assert.equal(localize({ en: "Hello", "zh-TW": "你好" }, "zh-TW"), "你好");
  assert.equal(localize(undefined, "en"), "");
  assert.equal(clampStep(99, lesson), 2);
  assert.equal(clampStep(-1, lesson), 0);
  assert.equal(clampStep(undefined, lesson), 0);
  assert.equal(clampStep(1, lesson), 1);
});

test("a shared link brings back the lesson and the step on screen", () => {
  const v = { lesson: "kubectl-create", lessonStep: 0, panel: "lessons" };
  assert.equal(formatHash(v), "#lesson=kubectl-create&panel=lessons&lessonStep=0");
  assert.deepEqual(parseHash(formatHash(v)), v);
  assert.deepEqual(parseHash("#lesson=x&lessonStep=-2"), { lesson: "x" });
  assert.equal(formatHash({ lessonStep: 3 }), "", "a step without a lesson means nothing");
});

test("'do it for me' shows what kubectl printed, and why an action failed", () => {
  const p = progress({});
  assert.equal(doOutput({ ok: true, results: [{ action: { pacer: {} } }, { action: { kubectl: ["get", "pods"] },
    output: { stdout: "NAME   READY\nweb-1  1/1\n", stderr: "", exitCode: 0 } }], progress: p }), "NAME   READY\nweb-1  1/1");
  assert.equal(doOutput({ ok: false, error: "kubectl exited 1", results: [{ action: {}, error: "kubectl exited 1",
    output: { stdout: "", stderr: "Error from server (Forbidden)\n", exitCode: 1 } }], progress: p }),
  "kubectl exited 1\nError from server (Forbidden)");
});

test("the lesson client calls the sandbox's lesson routes", async () => {
  const calls: string[] = [];
  const fake = (async (url: string, init?: RequestInit) => {
    calls.push(`${init?.method} ${url} ${init?.body ?? ""}`.trim());
    if (url.endsWith("/lessons/nope")) return new Response('{"message":"there is no lesson \\"nope\\""}', { status: 404 });
    return new Response(JSON.stringify(progress({})), { status: 200 });
  }) as typeof fetch;
  const c = new LessonClient("default", fake);
  await c.progress("kubectl-create");
  await c.start("kubectl-create", 2);
  await c.doStep("kubectl-create", 1);
  await c.check("kubectl-create", 3);
  await assert.rejects(c.lesson("nope"), /404: there is no lesson "nope"/);
  assert.deepEqual(calls, [
    "GET /glassplane/v1/sandboxes/default/lessons/kubectl-create/progress",
    'POST /glassplane/v1/sandboxes/default/lessons/kubectl-create/start {"step":2}',
    "POST /glassplane/v1/sandboxes/default/lessons/kubectl-create/steps/1/do",
    "POST /glassplane/v1/sandboxes/default/lessons/kubectl-create/steps/3/check",
    "GET /glassplane/v1/lessons/nope",
  ]);
});
