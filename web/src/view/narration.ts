// The narration under the diagram: the step on screen in a sentence of
// the learner's language, why it happens and what comes next, and where
// its code is; before any step, the tagline. The first visit also shows
// a welcome until the learner dismisses it.

import { Lang } from "../i18n/catalog.js";
import { colon, gap, narrate, partName, stageName, tr } from "../i18n/narrate.js";
import { ModelState } from "../model/cluster.js";
import { codeFor, codeText } from "../model/code.js";
import { clear, h } from "./dom.js";

export interface NarrationContext {
  lang: Lang;
  welcome: boolean; // show the first visit's welcome
  dismissWelcome: () => void;
}

export function renderNarration(el: HTMLElement, state: ModelState, ctx: NarrationContext): void {
  clear(el);
  const L = ctx.lang;
  const s = state.current;
  if (ctx.welcome) {
    el.append(h("div", { class: "intro" }, h("p", {}, tr("welcome", L)),
      h("button", { onclick: ctx.dismissWelcome }, tr("gotIt", L))));
  }
  if (!s) {
    el.append(h("p", { class: "what" }, tr("tagline", L)), h("p", { class: "why" }, tr("welcome", L)));
    return;
  }
  const n = narrate(s, state.route, L);
  // English keeps the stage's own name (it is what the code and the steps' JSON say).
  const stage = L === "en" ? s.stage : stageName(s.stage, L);
  const badge = h("span", { class: `badge outcome-${s.outcome}` }, `#${s.seq} · ${partName(s.component, L).replace(/^the /, "")} · ${stage}`);
  el.append(h("p", { class: "meta" }, badge), h("p", { class: "what" }, n.what));
  el.append(h("p", { class: "why" }, n.why + (n.next ? gap(L) + n.next : "")));
  const code = codeFor(s);
  if (code) {
    const text = codeText(code);
    el.append(h("p", { class: "code-link" }, tr("readCode", L) + colon(L), h("code", {}, text),
      h("button", { class: "small", onclick: () => void navigator.clipboard?.writeText(text) }, tr("copy", L))));
  }
}

/** Announcer speaks the narration's headline through a polite live region,
 * at most once every `every` ms, and only the latest one: while the cluster
 * plays, the headline changes several times a second, faster than a screen
 * reader can say a sentence, and a region that changes that often is never
 * heard to its end. */
export class Announcer {
  private said = "";
  private pending = "";
  private lastAt = -Infinity;
  private timer: unknown = undefined;

  constructor(
    private readonly el: { textContent: string | null },
    private readonly every = 2000,
    private readonly now: () => number = () => Date.now(),
    private readonly later: (f: () => void, ms: number) => unknown = (f, ms) => setTimeout(f, ms),
  ) {}

  say(text: string): void {
    this.pending = text;
    if (this.timer !== undefined) return; // the latest text goes out when it fires
    const wait = this.lastAt + this.every - this.now();
    if (wait <= 0) this.flush();
    else this.timer = this.later(() => { this.timer = undefined; this.flush(); }, wait);
  }

  private flush(): void {
    if (this.pending === this.said) return;
    this.said = this.pending;
    this.lastAt = this.now();
    this.el.textContent = this.pending;
  }
}
