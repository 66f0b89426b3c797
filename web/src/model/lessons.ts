// A lesson as the browser follows it. The lesson itself (steps, texts in
// both languages, "do it for me" actions, checks) and the sandbox's progress
// through it come from the app API (server/lessons.go, lessons/lesson.go);
// this file decides what the panel shows from them, and knows no DOM.
//
// Two step numbers matter. The engine's current step (progress.step) is the
// one its poll evaluates and moves past when its check passes — however the
// learner made it true. The viewed step is the one on screen; Next and Back
// move it, and the URL hash keeps it. They are usually the same; when the
// learner looks ahead or back, the panel asks for the viewed step's check
// by number instead, so its state still turns green on its own.

/** One piece of lesson text in both languages, as the API sends it. */
export interface LessonText { en: string; "zh-TW": string }

export interface LessonSummary {
  id: string;
  title: LessonText;
  summary: LessonText;
  steps: number;
}

export interface CodePointer { package: string; function: string }

export interface LessonStep {
  id: string;
  text: LessonText;
  actions?: unknown[];
  check: Record<string, unknown>;
  hint?: LessonText;
  code?: CodePointer[];
  recap?: boolean;
  question?: LessonText;
}

export interface Lesson {
  id: string;
  title: LessonText;
  summary: LessonText;
  source: string;
  steps: LessonStep[];
}

/** CheckNote is what a check found, as a catalogue key with its values
 * (lessons/note.go); the parts of all, any and not are notes in turn. */
export interface CheckNote {
  key: string;
  args?: Record<string, string>;
  parts?: CheckNote[];
}

export interface CheckResult {
  step: number;
  id: string;
  passed: boolean;
  detail: string; // in English
  message?: CheckNote;
  at: string;
}

export interface Progress {
  lesson: string;
  step: number;
  done: boolean;
  passed: number[];
  checks: CheckResult[];
}

export interface ActionResult {
  action: Record<string, unknown>;
  output?: { stdout: string; stderr: string; exitCode: number };
  error?: string;
}

export interface DoResult {
  ok: boolean;
  error?: string;
  results: ActionResult[];
  progress: Progress;
}

/** localize picks the learner's language, falling back to English. */
export function localize(t: LessonText | undefined, lang: string): string {
  if (!t) return "";
  return (lang === "zh-TW" ? t["zh-TW"] : t.en) || t.en || "";
}

/** clampStep keeps a step number (from a link, say) inside the lesson. */
export function clampStep(n: number | undefined, lesson: Lesson): number {
  if (n === undefined || !Number.isInteger(n) || n < 0) return 0;
  return Math.min(n, lesson.steps.length - 1);
}

/** The state of one step's check, as the learner sees it. */
export type CheckState =
  | { state: "passed"; detail: string; note?: CheckNote }
  | { state: "waiting"; detail: string; note?: CheckNote } // checked, not true yet: detail says why
  | { state: "unchecked" } // not evaluated yet
  | { state: "recap" }; // a recap asks a question instead

export function checkState(lesson: Lesson, p: Progress | undefined, n: number): CheckState {
  const last = p?.checks.find((c) => c.step === n);
  const note = last?.message ? { note: last.message } : {};
  if (lesson.steps[n]?.recap) return { state: "recap" }; // passed or not: the view says which
  if (p?.passed.includes(n)) return last?.passed ? { state: "passed", detail: last.detail, ...note } : { state: "passed", detail: "" };
  if (last) return { state: "waiting", detail: last.detail, ...note };
  return { state: "unchecked" };
}

/** What the panel's poll asks for: the progress (which evaluates the
 * engine's current step), the check of the step on screen by number, or
 * nothing while the step on screen has passed. Every check reads through
 * the API server, and every read is a step in the timeline, so the panel
 * asks only when the answer can change what the learner sees. */
export type Poll = { kind: "progress" } | { kind: "check"; step: number } | { kind: "none" };

export function pollFor(p: Progress | undefined, viewed: number): Poll {
  if (!p || viewed === p.step && !p.done) return { kind: "progress" };
  if (p.done || p.passed.includes(viewed)) return { kind: "none" };
  return { kind: "check", step: viewed };
}

/** firstSentence shortens a step's text to a label for the step list. */
export function firstSentence(text: string, max = 70): string {
  const t = text.trim().replace(/\s+/g, " ");
  const m = /^.*?(?:[.!?:](?=\s|$)|[。！？：])/u.exec(t);
  const s = (m ? m[0] : t).replace(/[:：]$/u, "");
  return s.length > max ? s.slice(0, max - 1).trimEnd() + "…" : s;
}

/** One row of the step list. */
export interface StepRow {
  n: number;
  label: string;
  passed: boolean;
  current: boolean; // the engine's current step
  viewed: boolean;
  recap: boolean;
}

export function stepRows(lesson: Lesson, p: Progress | undefined, viewed: number, lang: string): StepRow[] {
  return lesson.steps.map((s, n) => ({
    n, label: firstSentence(localize(s.text, lang)), passed: p?.passed.includes(n) ?? false,
    current: (p?.step ?? 0) === n && !p?.done, viewed: n === viewed, recap: !!s.recap,
  }));
}

/** codeText is a pointer as a learner would search for it in the source. */
export function pointerText(c: CodePointer): string {
  return `${c.package}.${c.function}`;
}

/** doOutput is what "do it for me" printed: kubectl's output, or why an
 * action failed, action by action. */
export function doOutput(r: DoResult): string {
  const out: string[] = [];
  for (const a of r.results) {
    if (a.error) out.push(a.error);
    const o = a.output;
    if (o) out.push((o.stdout + o.stderr).trimEnd());
  }
  if (r.error && !out.includes(r.error)) out.push(r.error);
  return out.filter((s) => s !== "").join("\n");
}
