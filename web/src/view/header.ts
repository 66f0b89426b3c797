// The header and the player's controls: the connection, the pacer's modes
// and Next, the language, theme and presenting buttons; the play, back,
// forward and end buttons, the scrubber, the step count, the speed and the
// list of the learner's actions to follow. It draws what the UI and
// playback states say; main.ts wires the clicks.

import { Lang } from "../i18n/catalog.js";
import { colon, partName, tr } from "../i18n/narrate.js";
import { Step } from "../model/step.js";
import { Playback } from "../model/playback.js";
import { isComponentAgent } from "../model/route.js";
import { UI } from "../model/ui.js";
import { Timeline } from "../timeline/timeline.js";
import { byId, clear, h } from "./dom.js";

export const icons = {
  play: `<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M4 2l10 6-10 6z"/></svg>`,
  pause: `<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M3 2h4v12H3zM9 2h4v12H9z"/></svg>`,
  back: `<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M2 2h2v12H2zM14 2v12L5 8z"/></svg>`,
  fwd: `<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M12 2h2v12h-2zM2 2v12l9-6z"/></svg>`,
  end: `<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M1 2v12l6-6zM7 2v12l6-6zM13 2h2v12h-2z"/></svg>`,
};
export const speeds = [0.5, 1, 2, 4, 8, 16];

export function renderHeader(ui: UI, offline: string): void {
  const L = ui.lang;
  const conn = byId("conn");
  conn.className = `pill conn-${offline ? "file" : ui.conn}`;
  conn.textContent = offline ? tr("replaying", L) + colon(L) + offline : tr(ui.conn === "open" ? "connected" : ui.conn === "connecting" ? "connecting" : "offline", L);
  const live = byId("tolive");
  live.hidden = !offline;
  live.textContent = tr("backToLive", L);
  byId("pacer-label").textContent = tr("pacer", L);
  for (const m of ["live", "slow", "step"] as const) {
    const b = byId(`mode-${m}`);
    b.textContent = tr(`mode${m[0].toUpperCase()}${m.slice(1)}`, L);
    b.setAttribute("aria-pressed", String(ui.pacer?.mode === m));
    (b as HTMLButtonElement).disabled = !!offline;
  }
  const held = ui.pacer?.waiting?.length ?? 0;
  const next = byId<HTMLButtonElement>("next");
  next.textContent = held ? tr("nextHeld", L, { n: String(held) }) : tr("next", L);
  next.title = tr("nextHint", L);
  next.disabled = !!offline || (held === 0 && ui.pacer?.mode !== "step");
  next.classList.toggle("attention", held > 0);
  byId("lang").textContent = tr("language", L);
  byId("theme").textContent = ui.theme === "dark" ? tr("light", L) : tr("dark", L);
  byId("present").textContent = tr("present", L);
  byId("present").setAttribute("aria-pressed", String(ui.present));
  byId("helpbtn").setAttribute("aria-label", tr("help", L));
  byId("tagline").textContent = tr("tagline", L);
}

export function renderControls(L: Lang, pb: Playback, tl: Timeline): void {
  const play = byId("play");
  play.innerHTML = pb.playing ? icons.pause : icons.play;
  play.setAttribute("aria-label", tr(pb.playing ? "pause" : "play", L));
  byId("back").setAttribute("aria-label", tr("back", L));
  byId("fwd").setAttribute("aria-label", tr("forward", L));
  byId("end").setAttribute("aria-label", tr("live", L));
  const scrub = byId<HTMLInputElement>("scrub");
  scrub.max = String(tl.length);
  scrub.value = String(pb.k);
  scrub.setAttribute("aria-label", tr("step", L));
  byId("count").textContent = `${tr("step", L)} ${pb.k} ${tr("of", L)} ${tl.length}`;
  const speed = byId<HTMLSelectElement>("speed");
  if (speed.options.length === 0) for (const s of speeds) speed.append(h("option", { value: String(s) }, `${s}×`));
  speed.value = String(pb.speed);
  speed.setAttribute("aria-label", tr("speed", L));
  const sel = byId<HTMLSelectElement>("trace");
  const traces = tl.traces().filter((t) => isUserTrace(t.root)).slice(-40);
  const want = [["", tr("allTraces", L)], ...traces.reverse().map((t) => [t.trace, traceLabel(isBreak(t.root) ? t.root : t.action ?? t.root, t.count, L)])];
  if (sel.dataset.sig !== JSON.stringify(want)) {
    clear(sel);
    for (const [v, label] of want) sel.append(h("option", { value: v }, label));
    sel.dataset.sig = JSON.stringify(want);
  }
  if (pb.trace && !want.some(([v]) => v === pb.trace)) sel.append(h("option", { value: pb.trace }, pb.trace));
  sel.value = pb.trace;
  sel.setAttribute("aria-label", tr("trace", L));
  byId("export").textContent = tr("export", L);
  byId("import-label").textContent = tr("import", L);
}

function isUserTrace(root: Step): boolean {
  if (isBreak(root)) return true; // a person stopped or started a component
  const ua = (root.detail as { userAgent?: string } | undefined)?.userAgent ?? "";
  return root.stage === "request" && !isComponentAgent(ua);
}

function isBreak(root: Step): boolean {
  return (root.stage === "stop" || root.stage === "start") && !root.parent;
}

// traceLabel names an action in the list: when, what (the request's own verb
// and resource, as kubectl says them) and how many steps it took.
function traceLabel(root: Step, count: number, L: Lang): string {
  const time = L === "zh-TW" ? new Date(root.time).toLocaleTimeString("zh-TW", { hour12: false }) : new Date(root.time).toLocaleTimeString();
  const n = String(count);
  if (isBreak(root)) {
    return tr(root.stage === "stop" ? "actionStop" : "actionStart", L, { time, component: partName(root.component, L).replace(/^the /, ""), n });
  }
  const a = root.message?.args ?? {};
  const name = root.object?.name ? ` ${root.object.name}` : "";
  return tr("actionRequest", L, { time, verb: a.verb ?? root.stage, resource: a.resource ?? root.object?.kind ?? "", name, n });
}

export function renderHelp(ui: UI): void {
  const d = byId("help");
  d.hidden = !ui.help;
  byId("help-title").textContent = tr("help", ui.lang);
  byId("help-text").textContent = tr("helpText", ui.lang);
  byId("help-close").textContent = tr("close", ui.lang);
}
