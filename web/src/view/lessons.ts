// The lesson panel: pick a lesson, then follow it step by step beside the
// diagram. Each step says what to do and what to watch; "Do it for me" runs
// the step's actions; the step's check turns green on its own when the
// sandbox makes it true — whether the learner used this button, the
// terminal, the playground or their own kubectl — and says why not while it
// is false. The last step is a recap with a question to think about.
//
// The panel owns the lesson's state (which lesson, which step is on screen,
// the engine's progress) and polls the progress about every half second
// while a lesson is open. It draws in two places: the Lessons tab (the whole
// lesson) and a dock under the diagram (the step on screen, for when another
// tab or presentation mode hides the side panel). It redraws only when what
// it shows changed, and then morphs the page's nodes into the new drawing
// instead of replacing them: a button under the mouse or the keyboard focus
// stays the same node, so a poll never swallows a click or loses the focus.
// Every control carries a data-key naming what its click does (with the
// step number when it depends on it); a node is kept only for the same key.
//
// A lesson not yet begun, and every "Start over", starts through the
// engine's start, which first clears what an earlier try left (the
// lesson's reset); the panel says so while it runs, and says why when it
// fails. A "Do it for me" that fails shows its error in the step's card.

import { LessonClient } from "../api/lessons.js";
import {
  checkState, clampStep, DoResult, doOutput, Lesson, LessonSummary, localize, pointerText, pollFor, Progress, stepRows,
} from "../model/lessons.js";
import { Lang } from "../i18n/catalog.js";
import { checkText, gap, tr } from "../i18n/narrate.js";
import { h } from "./dom.js";

export const pollMs = 500;

interface Shown { lang: Lang; dock: boolean }

export class LessonPanel {
  list: LessonSummary[] | null = null;
  lesson: Lesson | null = null;
  progress: Progress | undefined;
  viewed = 0;
  private wanted = ""; // the lesson being opened
  private hintOpen = false;
  private doing = -1; // the step whose actions are running
  private done: { step: number; result: DoResult } | null = null;
  private error = "";
  private resetting = false; // the engine is clearing the ground for step 1
  private resetError = "";
  private timer = 0;
  private inFlight = false;
  private sent = 0; // requests numbered, so an old answer never overwrites a newer one
  private applied = 0;
  private sigPanel = "";
  private sigDock = "";
  private announced = new Set<number>();
  private readonly live = h("p", { class: "sr-only", "aria-live": "polite", role: "status" });

  /** changed is called when the panel's state changed: the app saves the
   * hash and redraws. acting runs each "Do it for me", so the app can
   * follow the action it begins, as it follows Apply and the terminal. */
  constructor(private readonly api: LessonClient, private readonly changed: () => void,
    private readonly toast: (text: string) => void,
    private readonly acting: <T>(run: () => Promise<T>) => Promise<T> = (run) => run()) {
    document.body.append(this.live);
  }

  get id(): string { return this.lesson?.id ?? this.wanted; }

  /** open shows a lesson at a step (the engine's current one when absent). */
  async open(id: string, step?: number): Promise<void> {
    this.wanted = id;
    this.error = "";
    try {
      const lesson = this.lesson?.id === id ? this.lesson : await this.api.lesson(id);
      const p = await this.api.progress(id);
      if (this.wanted !== id) return;
      this.lesson = lesson;
      this.apply(p, ++this.sent);
      this.announced = new Set(p.passed);
      this.show(step === undefined ? (p.done ? lesson.steps.length - 1 : p.step) : clampStep(step, lesson));
      // Nothing done yet: begin from a clean slate, as Start over does;
      // the step shows once the ground is clear.
      if (p.step === 0 && !p.done && p.passed.length === 0) await this.begin(id);
      this.poll();
    } catch (e) {
      this.wanted = "";
      this.lesson = null;
      this.toast(String(e));
      this.changed();
    }
  }

  close(): void {
    this.wanted = "";
    this.lesson = null;
    this.progress = undefined;
    window.clearTimeout(this.timer);
    this.changed();
  }

  /** show puts step n on screen. */
  show(n: number): void {
    if (!this.lesson) return;
    const k = clampStep(n, this.lesson);
    if (k !== this.viewed) { this.hintOpen = false; this.done = null; }
    this.viewed = k;
    this.changed();
  }

  private async startOver(): Promise<void> {
    if (!this.lesson) return;
    this.done = null;
    this.show(0);
    await this.begin(this.lesson.id, true);
  }

  /** begin starts the lesson at step 1 after the engine's reset; first
   * puts step 1 on screen (Start over), else the step shown stays (a link
   * or a teacher's push may have opened another). */
  private async begin(id: string, first = false): Promise<void> {
    if (this.resetting) return;
    this.resetting = true;
    this.resetError = "";
    this.changed();
    try {
      const p = await this.api.start(id, 0);
      if (this.lesson?.id !== id) return;
      this.announced = new Set();
      this.apply(p, ++this.sent);
      if (first) this.show(0);
    } catch (e) {
      this.resetError = e instanceof Error ? e.message : String(e);
    } finally {
      this.resetting = false;
      this.changed();
    }
  }

  private async doIt(n: number): Promise<void> {
    if (!this.lesson || this.doing >= 0 || this.resetting) return;
    const id = this.lesson.id, req = ++this.sent;
    this.doing = n;
    this.done = null;
    this.changed();
    try {
      const r = await this.acting(() => this.api.doStep(id, n));
      if (this.lesson?.id !== id) return;
      this.done = { step: n, result: r };
      this.apply(r.progress, req);
    } catch (e) {
      // The request itself failed: say so where the learner looks.
      if (this.lesson?.id === id && this.progress) {
        this.done = { step: n, result: { ok: false, error: e instanceof Error ? e.message : String(e), results: [], progress: this.progress } };
      } else this.toast(String(e));
    } finally {
      this.doing = -1;
      this.changed();
    }
  }

  /** apply takes a progress answer unless a newer one was already taken. */
  private apply(p: Progress, req: number): void {
    if (req < this.applied) return;
    this.applied = req;
    this.progress = p;
    for (const n of p.passed) {
      if (this.announced.has(n)) continue;
      this.announced.add(n);
      this.live.textContent = tr("lessonStepPassed", this.langShown, { n: String(n + 1) });
    }
  }

  private langShown: Lang = "en";

  /** poll asks for the progress now and again in pollMs while a lesson is open. */
  private poll(): void {
    window.clearTimeout(this.timer);
    if (!this.lesson) return;
    this.timer = window.setTimeout(() => this.poll(), pollMs);
    const q = pollFor(this.progress, this.viewed);
    if (this.inFlight || document.hidden || q.kind === "none") return;
    const id = this.lesson.id, req = ++this.sent;
    this.inFlight = true;
    const answer = q.kind === "check" ? this.api.check(id, q.step).then((r) => r.progress) : this.api.progress(id);
    answer.then((p) => {
      if (this.lesson?.id !== id) return;
      this.error = "";
      this.apply(p, req);
      this.changed();
    }, (e) => {
      this.error = String(e);
      this.changed();
    }).finally(() => { this.inFlight = false; });
  }

  /** render draws the Lessons tab into panel and the dock into dock. */
  render(panel: HTMLElement, dock: HTMLElement, shown: Shown): void {
    this.langShown = shown.lang;
    if (this.list === null) {
      this.list = [];
      this.api.list().then((l) => { this.list = l; this.changed(); }, (e) => this.toast(String(e)));
    }
    const sig = JSON.stringify([shown.lang, this.list, this.lesson?.id, this.progress, this.viewed, this.hintOpen,
      this.doing, this.done, this.error, this.resetting, this.resetError]);
    if (sig !== this.sigPanel) {
      this.sigPanel = sig;
      redraw(panel, this.lesson ? this.lessonView(shown.lang) : this.picker(shown.lang));
    }
    const dockSig = shown.dock && this.lesson ? sig : "";
    dock.hidden = !dockSig;
    if (dockSig !== this.sigDock) {
      this.sigDock = dockSig;
      redraw(dock, dockSig ? this.dockView(shown.lang) : h("div"));
    }
  }

  // ---- the views ----

  private picker(L: Lang): HTMLElement {
    const wrap = h("section", { class: "lesson-picker" }, h("h3", {}, tr("lessonsPick", L)));
    if (!this.list?.length) {
      wrap.append(h("p", { class: "muted" }, tr("lessonsSoon", L)));
      return wrap;
    }
    const ol = h("ol", { class: "lesson-list" });
    for (const l of this.list) {
      ol.append(h("li", {},
        h("button", { class: "lesson-pick", "data-key": `pick-${l.id}`, "data-testid": `lesson-pick-${l.id}`,
          onclick: () => void this.open(l.id) },
        h("span", { class: "lesson-title" }, localize(l.title, L)),
        h("span", { class: "lesson-summary" }, localize(l.summary, L)),
        h("span", { class: "lesson-count" }, tr("lessonSteps", L, { n: String(l.steps) })))));
    }
    wrap.append(ol);
    return wrap;
  }

  private lessonView(L: Lang): HTMLElement {
    const l = this.lesson!, n = this.viewed;
    const wrap = h("section", { class: "lesson", "data-testid": "lesson" });
    wrap.append(h("div", { class: "lesson-bar" },
      h("button", { class: "small", "data-key": "all", onclick: () => this.close() }, "← " + tr("lessonsAll", L)),
      h("button", { class: "small", "data-key": "over", "data-testid": "lesson-start-over", onclick: () => void this.startOver() }, tr("lessonStartOver", L))));
    wrap.append(h("h3", { class: "lesson-name" }, localize(l.title, L)));
    if (this.resetting) {
      // The reset deletes through the API server: nothing to do until it is done.
      wrap.append(h("p", { class: "lesson-reset muted", "data-testid": "lesson-resetting", role: "status" }, tr("lessonResetting", L)));
      return wrap;
    }
    if (this.resetError) {
      wrap.append(h("div", { class: "lesson-reset bad", "data-testid": "lesson-reset-failed" },
        h("p", {}, tr("lessonResetFailed", L)), h("pre", { class: "code lesson-out", tabindex: "0" }, this.resetError)));
    }
    wrap.append(this.stepper(L));
    wrap.append(this.stepCard(L, n, false));
    const code = l.steps[n].code ?? [];
    if (code.length) {
      const ul = h("ul", { class: "lesson-code" });
      for (const c of code) {
        const text = pointerText(c);
        ul.append(h("li", {}, h("code", {}, text),
          h("button", { class: "small", "data-key": `copy-${text}`, "aria-label": `${tr("copy", L)} ${text}`,
            onclick: () => void navigator.clipboard?.writeText(text) }, tr("copy", L))));
      }
      wrap.append(h("h4", {}, tr("readCode", L)), ul);
    }
    const list = h("ol", { class: "lesson-steps", "aria-label": tr("lessonStepList", L) });
    for (const r of stepRows(l, this.progress, n, L)) {
      const mark = r.passed ? "✓" : r.current ? "●" : "○";
      list.append(h("li", { class: `${r.passed ? "passed" : ""} ${r.viewed ? "viewed" : ""}`.trim() },
        h("button", { "data-key": `row-${r.n}`, "aria-current": r.viewed ? "step" : undefined, onclick: () => this.show(r.n) },
          h("span", { class: "mark", "aria-label": r.passed ? tr("lessonPassed", L) : undefined }, mark),
          h("span", {}, `${r.n + 1}. ${r.label}`))));
    }
    wrap.append(h("h4", {}, tr("lessonStepList", L)), list);
    if (this.error) wrap.append(h("p", { class: "bad" }, this.error));
    return wrap;
  }

  private dockView(L: Lang): HTMLElement {
    const l = this.lesson!;
    const wrap = h("section", { class: "lesson-dock-in", "aria-label": tr("lessons", L) });
    wrap.append(h("p", { class: "lesson-where" },
      h("span", { class: "badge" }, `${tr("lessons", L)} · ${this.viewed + 1}/${l.steps.length}`), " ", localize(l.title, L)));
    wrap.append(this.resetting ? h("p", { class: "lesson-reset muted" }, tr("lessonResetting", L)) : this.stepCard(L, this.viewed, true));
    return wrap;
  }

  /** stepper: one dot per step, ticked when passed. */
  private stepper(L: Lang): HTMLElement {
    const l = this.lesson!;
    const nav = h("nav", { class: "stepper", "aria-label": tr("lessonStepList", L) });
    for (const r of stepRows(l, this.progress, this.viewed, L)) {
      nav.append(h("button", {
        class: `dot${r.passed ? " passed" : ""}${r.viewed ? " viewed" : ""}${r.current ? " current" : ""}`,
        "data-key": `dot-${r.n}`, title: r.label, "aria-current": r.viewed ? "step" : undefined,
        "aria-label": tr(r.passed ? "lessonDotLabelPassed" : "lessonDotLabel", L, { n: String(r.n + 1), label: r.label }),
        onclick: () => this.show(r.n),
      }, r.passed ? "✓" : String(r.n + 1)));
    }
    nav.append(h("span", { class: "stepper-count" }, tr("lessonStepOf", L, { n: String(this.viewed + 1), total: String(l.steps.length) })));
    return nav;
  }

  /** stepCard: the step's text, its check, what the learner can do. */
  private stepCard(L: Lang, n: number, dock: boolean): HTMLElement {
    const l = this.lesson!, s = l.steps[n], k = dock ? "dock-" : "";
    const card = h("div", { class: `lesson-step${s.recap ? " recap" : ""}`, "data-testid": dock ? "lesson-dock-step" : "lesson-step" });
    card.append(h("p", { class: "lesson-text", "data-testid": dock ? undefined : "lesson-text" }, localize(s.text, L)));
    if (s.recap && s.question) {
      card.append(h("div", { class: "question" }, h("strong", {}, tr("lessonThink", L) + gap(L)), localize(s.question, L)));
    }
    const passed = this.progress?.passed.includes(n) ?? false;
    const buttons = h("div", { class: "actions" });
    if (s.actions?.length) {
      const busy = this.doing === n;
      buttons.append(h("button", { class: passed ? "" : "primary", "data-key": `${k}do-${n}`, "data-testid": dock ? undefined : "lesson-do",
        // aria-disabled, not disabled: a disabled button drops the keyboard focus.
        "aria-disabled": this.doing >= 0 || this.resetting ? "true" : undefined, "aria-busy": busy ? "true" : undefined,
        onclick: () => void this.doIt(n) },
      tr(busy ? "lessonDoing" : "lessonDo", L)));
    }
    if (s.hint && !dock) {
      buttons.append(h("button", { "data-key": `${k}hint-${n}`, "data-testid": "lesson-hint", "aria-expanded": String(this.hintOpen),
        onclick: () => { this.hintOpen = !this.hintOpen; this.changed(); } }, tr(this.hintOpen ? "lessonHideHint" : "lessonHint", L)));
    }
    buttons.append(h("span", { class: "spacer" }),
      h("button", { "data-key": `${k}back-${n}`, "data-testid": dock ? undefined : "lesson-back", disabled: n === 0,
        "aria-label": tr("lessonBack", L), title: tr("lessonBack", L), onclick: () => this.show(n - 1) }, "◀"));
    if (n < l.steps.length - 1) {
      buttons.append(h("button", { class: passed ? "primary" : "", "data-key": `${k}next-${n}`,
        "data-testid": dock ? undefined : "lesson-next", onclick: () => this.show(n + 1) }, tr("lessonNext", L) + " ▶"));
    }
    // The buttons come before the check's line, whose length changes with
    // every verdict: they must not move under the learner's pointer.
    card.append(buttons, this.checkLine(L, n, dock));
    if (this.hintOpen && s.hint && !dock) card.append(h("p", { class: "hint" }, localize(s.hint, L)));
    if (this.done?.step === n && !dock) {
      const out = doOutput(this.done.result);
      if (!this.done.result.ok) card.append(h("p", { class: "bad", "data-testid": "lesson-do-failed" }, tr("lessonDoFailed", L)));
      if (out) card.append(h("pre", { class: "code lesson-out", tabindex: "0" }, out));
    }
    return card;
  }

  private checkLine(L: Lang, n: number, dock: boolean): HTMLElement {
    const c = checkState(this.lesson!, this.progress, n);
    const testid = dock ? undefined : "lesson-check";
    if (c.state === "recap") {
      const done = this.progress?.passed.includes(n);
      return h("p", { class: `check ${done ? "passed" : "recap"}`, "data-testid": testid, "data-state": done ? "passed" : "recap" },
        done ? "✓ " + tr("lessonComplete", L) : tr("lessonRecap", L));
    }
    if (c.state === "passed") {
      return h("p", { class: "check passed", "data-testid": testid, "data-state": "passed" }, "✓ " + tr("lessonDone", L));
    }
    if (c.state === "unchecked") {
      return h("p", { class: "check", "data-testid": testid, "data-state": "unchecked" }, "○ " + tr("lessonChecking", L));
    }
    return h("p", { class: "check waiting", "data-testid": testid, "data-state": "waiting" },
      h("span", {}, "○ " + tr("lessonNotYet", L)), c.detail ? h("span", { class: "why-not" }, " — " + (checkText(c.note, L) || c.detail)) : "");
  }
}

/** redraw makes el show next, keeping the nodes it already has. */
function redraw(el: HTMLElement, next: HTMLElement): void {
  const old = el.firstChild;
  if (old) morph(old, next);
  else el.append(next);
}

/** morph turns node from into node to in place: same tag and data-key keep
 * the node (its attributes and text updated, its children morphed in turn),
 * anything else is replaced. */
export function morph(from: Node, to: Node): void {
  const key = (n: Node) => n instanceof HTMLElement ? n.dataset.key : undefined;
  if (from.nodeName !== to.nodeName || key(from) !== key(to)) {
    from.parentNode?.replaceChild(to, from);
    return;
  }
  if (!(from instanceof Element) || !(to instanceof Element)) {
    if (from.nodeValue !== to.nodeValue) from.nodeValue = to.nodeValue;
    return;
  }
  for (const a of [...from.attributes]) if (!to.hasAttribute(a.name)) from.removeAttribute(a.name);
  for (const a of [...to.attributes]) if (from.getAttribute(a.name) !== a.value) from.setAttribute(a.name, a.value);
  const had = [...from.childNodes], want = [...to.childNodes];
  want.forEach((n, i) => (i < had.length ? morph(had[i], n) : from.appendChild(n)));
  for (const n of had.slice(want.length)) from.removeChild(n);
}
