import { test } from "node:test";
import assert from "node:assert/strict";
import { applyClassroom, banner, ClassroomAnswer, initialClassroom, readOnly, shownSandbox, teacherTrace, viewing, wantsRoster } from "../src/model/classroom.js";
import { TraceSummary } from "../src/model/story.js";

const local: ClassroomAnswer = { follow: "", lesson: null, teacher: false, classroom: false };
const student = (over: Partial<ClassroomAnswer> = {}): ClassroomAnswer =>
  ({ follow: "", lesson: null, teacher: false, classroom: true, sandbox: "s1", ...over });

test("a page on a learner's own machine asks once and stops, showing its own sandbox with every control", () => {
  const c = applyClassroom(initialClassroom("default"), { type: "answer", answer: local });
  assert.equal(c.polling, false);
  assert.equal(shownSandbox(c), "default");
  assert.equal(readOnly(c), false);
  assert.equal(banner(c), undefined);
  const old = applyClassroom(initialClassroom("default"), { type: "failed" });
  assert.equal(old.polling, false, "a server from before classes answers 404: the page stops asking");
});

test("a student's page keeps asking, and a dropped answer does not stop it", () => {
  const c = applyClassroom(initialClassroom("s1"), { type: "answer", answer: student() });
  assert.equal(c.polling, true);
  assert.equal(applyClassroom(c, { type: "failed" }), c);
});

test("a student follows the teacher's sandbox read-only, with the banner, and comes back to its own when released", () => {
  let c = applyClassroom(initialClassroom("s1"), { type: "answer", answer: student() });
  c = applyClassroom(c, { type: "answer", answer: student({ follow: "teacher-sb" }) });
  assert.equal(shownSandbox(c), "teacher-sb");
  assert.equal(readOnly(c), true);
  assert.deepEqual(banner(c), { kind: "following" });
  const again = applyClassroom(c, { type: "answer", answer: student({ follow: "teacher-sb" }) });
  assert.equal(again, c, "the same answer changes nothing: the page does not reconnect every two seconds");
  c = applyClassroom(c, { type: "answer", answer: student({ follow: "" }) });
  assert.equal(shownSandbox(c), "s1");
  assert.equal(readOnly(c), false);
  assert.equal(banner(c), undefined);
});

test("following the student's own sandbox is no following at all", () => {
  const c = applyClassroom(initialClassroom("s1"), { type: "answer", answer: student({ follow: "s1" }) });
  assert.equal(shownSandbox(c), "s1");
  assert.equal(readOnly(c), false);
  const unsaid = applyClassroom(initialClassroom("s1"), { type: "answer", answer: student({ follow: "s1", sandbox: undefined }) });
  assert.equal(shownSandbox(unsaid), "s1", "without the session's own sandbox, the page's is its own");
});

test("the teacher's page never follows, and a teacher on a student's sandbox views it read-only", () => {
  const teacher = (page: string) => applyClassroom(initialClassroom(page), { type: "answer",
    answer: { follow: "t-sb", lesson: null, teacher: true, classroom: true, sandbox: "t-sb" } });
  const own = teacher("t-sb");
  assert.equal(shownSandbox(own), "t-sb");
  assert.equal(readOnly(own), false);
  const onStudent = teacher("s7");
  assert.equal(shownSandbox(onStudent), "s7", "the teacher watches the student, not the class's followed sandbox");
  assert.equal(viewing(onStudent), true);
  assert.equal(readOnly(onStudent), true);
  assert.deepEqual(banner(onStudent), { kind: "viewing", sandbox: "s7" });
  assert.equal(viewing(applyClassroom(initialClassroom("s7"), { type: "answer", answer: student({ sandbox: "s1" }) })), false,
    "only a teacher is shown another's sandbox");
});

test("a pushed lesson step is opened once per push, even when the same step is pushed again later", () => {
  const push = (step: number, at: string) => student({ lesson: { lesson: "kubectl-create", step, at } });
  let c = applyClassroom(initialClassroom("s1"), { type: "answer", answer: push(3, "2026-12-06T12:00:00Z") });
  assert.deepEqual(c.pushed, { lesson: "kubectl-create", step: 3 });
  c = applyClassroom(c, { type: "opened" });
  assert.equal(c.pushed, undefined);
  assert.equal(applyClassroom(c, { type: "answer", answer: push(3, "2026-12-06T12:00:00Z") }), c, "the same push is not opened twice");
  c = applyClassroom(c, { type: "answer", answer: push(3, "2026-12-06T12:05:00Z") });
  assert.deepEqual(c.pushed, { lesson: "kubectl-create", step: 3 }, "pushed again: the student who moved on comes back");
  c = applyClassroom(applyClassroom(c, { type: "opened" }), { type: "answer", answer: push(4, "2026-12-06T12:06:00Z") });
  assert.deepEqual(c.pushed, { lesson: "kubectl-create", step: 4 });
});

test("a reload does not reopen the push this browser already acted on, but a late joiner gets it", () => {
  const answer = student({ lesson: { lesson: "kubectl-create", step: 2, at: "2026-12-06T12:00:00Z" } });
  assert.equal(applyClassroom(initialClassroom("s1", "2026-12-06T12:00:00Z"), { type: "answer", answer }).pushed, undefined);
  assert.deepEqual(applyClassroom(initialClassroom("s1"), { type: "answer", answer }).pushed, { lesson: "kubectl-create", step: 2 });
});

test("a teacher looking at a student's sandbox is not pulled away by a push", () => {
  const c = applyClassroom(initialClassroom("s7"), { type: "answer",
    answer: { follow: "", lesson: { lesson: "kubectl-create", step: 1, at: "2026-12-06T12:00:00Z" }, teacher: true, classroom: true, sandbox: "t-sb" } });
  assert.equal(c.pushed, undefined);
  assert.equal(c.lessonAt, "2026-12-06T12:00:00Z");
});

test("a page that begins to follow tells the teacher's latest change, then each action the teacher begins", () => {
  const tr = (trace: string, first: number, verb: string, learners = true): TraceSummary => ({
    trace, first, last: first + 5, learners, request: { verb }, steps: 6, beats: 1, foregroundBeats: 1, backgroundSteps: 0 });
  const list = [tr("create", 10, "create"), tr("get", 30, "get"), tr("lease", 40, "update", false), tr("scale", 50, "patch"), tr("list", 60, "list")];
  assert.equal(teacherTrace(list, -1), "scale", "the latest change, not a read after it, nor the cluster's own work");
  assert.equal(teacherTrace([tr("get", 30, "get")], -1), "get", "only reads: the latest read");
  assert.equal(teacherTrace([], -1), "");
  assert.equal(teacherTrace(list, 35), "scale", "begun since the last look");
  assert.equal(teacherTrace(list, 60), "", "nothing new");
});

test("a teacher viewing a student's sandbox reads the roster once, and the banner names the student", () => {
  let c = applyClassroom(initialClassroom("s7"), { type: "answer", answer: { follow: "", lesson: null, teacher: true, classroom: true, sandbox: "t-sb" } });
  assert.equal(wantsRoster(c), true);
  assert.deepEqual(banner(c), { kind: "viewing", sandbox: "s7" }, "before the roster: the sandbox");
  c = applyClassroom(c, { type: "roster", list: [{ sandbox: "t-sb", name: "Teacher" }, { sandbox: "s7", name: "Grace" }] });
  assert.equal(wantsRoster(c), false);
  assert.deepEqual(banner(c), { kind: "viewing", sandbox: "Grace (s7)" });
  const learner = applyClassroom(initialClassroom("s1"), { type: "answer", answer: student() });
  assert.equal(wantsRoster(learner), false, "a student never asks for the roster");
});
