// The side panel: its tabs and the one panel on screen — the inspector
// (the object or part clicked, and the step on screen), the story of the
// followed trace, the etcd keys — and the lessons, drawn in their tab or
// docked under the diagram. The playground and terminal draw themselves;
// this only tells them the language.

import { tr } from "../i18n/narrate.js";
import { ModelState } from "../model/cluster.js";
import { followed, Playback, storyNote } from "../model/playback.js";
import { panels, shownPanels, UI } from "../model/ui.js";
import { byId, clear, h } from "./dom.js";
import { Playground } from "./editor.js";
import { renderEtcd, renderSnapshots, SnapshotControls } from "./etcdpane.js";
import { objectView, PartActions, partView, stepDetail } from "./inspector.js";
import { LessonPanel } from "./lessons.js";
import { renderStory } from "./story.js";
import { Terminal } from "./terminal.js";

export interface PanelsContext {
  ui: UI;
  pb: Playback;
  state: ModelState;
  lessons: LessonPanel;
  terminal: Terminal;
  playground: Playground;
  partActions: (part: string) => PartActions | undefined;
  toggleEtcdKey: (key: string) => void;
  snapshots?: SnapshotControls;
  toggleBackground: () => void;
  toggleBeat: (first: number) => void;
  selectStep: (seq: number) => void;
}

export function renderPanels(ctx: PanelsContext): void {
  const { ui, state } = ctx;
  const L = ui.lang;
  for (const p of panels) {
    const tab = byId(`tab-${p}`);
    tab.textContent = tr(p === "inspector" ? "inspector" : p === "etcd" ? "etcdTab" : p === "story" ? "storyTab" : p, L);
    tab.setAttribute("aria-selected", String(ui.panel === p));
    tab.tabIndex = ui.panel === p ? 0 : -1;
    tab.hidden = !shownPanels(ui).includes(p); // a read-only page has no playground or terminal
    byId(`panel-${p}`).hidden = ui.panel !== p;
  }
  if (ui.panel === "inspector") {
    const el = byId("panel-inspector");
    clear(el);
    const sel = ui.selected;
    const obj = sel ? state.objects[sel] : undefined;
    if (obj) el.append(objectView(state, obj, L));
    else if (sel && sel !== "step") el.append(partView(sel, state, L, ctx.partActions(sel)));
    if (state.current) el.append(stepDetail(state.current, L));
    else el.append(h("p", { class: "muted" }, tr("clickHint", L)));
  } else if (ui.panel === "story") {
    renderStoryPanel(byId("panel-story"), ctx);
  } else if (ui.panel === "etcd") {
    renderEtcdPanel(byId("panel-etcd"), ctx);
  }
  ctx.lessons.render(byId("panel-lessons"), byId("lesson-dock"), { lang: L, dock: ui.panel !== "lessons" || ui.present });
  ctx.terminal.setLang(L);
  ctx.playground.setLang(L);
}

/** renderEtcdPanel redraws the snapshots and the keys each only when what
 * it shows changed, so a snapshot button is never replaced under the
 * learner's pointer by the heartbeats etcd stores several times a second. */
function renderEtcdPanel(el: HTMLElement, ctx: PanelsContext): void {
  const { ui, state } = ctx;
  if (el.childElementCount !== 2) {
    clear(el);
    el.append(h("div", { class: "etcd-snapshots" }), h("div", { class: "etcd-keys" }));
  }
  const [snapsEl, keysEl] = [el.children[0] as HTMLElement, el.children[1] as HTMLElement];
  const snaps = ctx.snapshots;
  const snapSig = JSON.stringify([ui.lang, snaps?.list.map((s) => s.name) ?? null]);
  if (snapsEl.dataset.sig !== snapSig) {
    snapsEl.dataset.sig = snapSig;
    clear(snapsEl);
    if (snaps) snapsEl.append(renderSnapshots(snaps, ui.lang));
  }
  const cur = state.current?.stage === "store" ? state.current.seq : 0;
  const sig = JSON.stringify([ui.lang, state.revision, Object.keys(state.etcd).length, cur, [...ui.etcdOpen]]);
  if (keysEl.dataset.sig === sig) return;
  keysEl.dataset.sig = sig;
  const top = el.scrollTop;
  clear(keysEl);
  keysEl.append(renderEtcd(state, ui.lang, new Set(ui.etcdOpen), ctx.toggleEtcdKey));
  el.scrollTop = top;
}

/** renderStoryPanel redraws the story only when what it shows changed, and
 * keeps the panel's scroll where the learner left it. */
function renderStoryPanel(el: HTMLElement, ctx: PanelsContext): void {
  const { pb, ui } = ctx;
  const d = followed(pb);
  const cur = ctx.state.current?.seq;
  const curBeat = cur === undefined ? undefined : pb.index.get(cur)?.first;
  const sig = JSON.stringify([ui.lang, pb.trace, storyNote(pb), d?.last, d?.stepList.length, pb.showBackground, [...pb.expanded],
    curBeat, curBeat !== undefined && pb.expanded.has(curBeat) ? cur : 0]);
  if (el.dataset.sig === sig) return;
  el.dataset.sig = sig;
  const top = el.scrollTop;
  clear(el);
  el.append(renderStory({
    lang: ui.lang, detail: d, note: storyNote(pb), showBackground: pb.showBackground, expanded: pb.expanded, current: cur,
    toggleBackground: ctx.toggleBackground,
    toggleBeat: (first) => {
      ctx.toggleBeat(first);
      el.querySelector(`li.beat[data-beat="${first}"]`)?.scrollIntoView({ block: "nearest" });
    },
    selectStep: ctx.selectStep,
  }));
  el.scrollTop = top;
}
