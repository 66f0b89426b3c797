// Glassplane's browser app. The wiring, RaftScope style: the model (pure)
// knows the cluster after k steps, the timeline keeps the history, the
// playback and UI states (model/playback.ts, model/ui.ts) say what is on
// screen and how it moves, the views draw them. Every event here becomes an
// action; the state it gives is saved (URL hash, localStorage), then drawn.
// What the reducers cannot do themselves — timers, the network, the
// clock — this file does, and tells them the outcome as another action.

import { classroom, Client, EtcdKeyValue, Pacer, roster } from "./api/client.js";
import { SocketLike, StepStream } from "./api/stream.js";
import { Timeline } from "./timeline/timeline.js";
import { baseline, ModelState } from "./model/cluster.js";
import { Step } from "./model/step.js";
import { exportSteps, importSteps } from "./model/exportfile.js";
import { formatHash, parseHash } from "./model/viewstate.js";
import { Action, apply, hashStep, initial, Playback, tickDelay } from "./model/playback.js";
import { applyUI, initialUI, panels, UI, UIAction } from "./model/ui.js";
import { tr } from "./i18n/narrate.js";
import { Animator, layout, renderDiagram, routeLine } from "./view/diagram.js";
import { PartActions } from "./view/inspector.js";
import { Terminal } from "./view/terminal.js";
import { Playground } from "./view/editor.js";
import { LessonPanel } from "./view/lessons.js";
import { LessonClient } from "./api/lessons.js";
import { byId, h, keepFocus } from "./view/dom.js";
import { icons, renderControls, renderHeader, renderHelp } from "./view/header.js";
import { Announcer, renderNarration } from "./view/narration.js";
import { renderPanels } from "./view/panels.js";
import { SnapshotControls } from "./view/etcdpane.js";
import { applyClassroom, banner, Classroom, ClassroomAction, initialClassroom, pollMs, readOnly, shownSandbox, teacherTrace, wantsRoster } from "./model/classroom.js";
import { renderBanner } from "./view/classroom.js";

const query = new URLSearchParams(location.search);
const pageSandbox = query.get("sandbox") || "default";
let client = new Client(pageSandbox); // of the sandbox shown: the page's own, or the one the class follows
const linked = parseHash(location.hash);

let ui: UI = initialUI({
  query, stored: (k) => localStorage.getItem(k), prefersLight: matchMedia("(prefers-color-scheme: light)").matches,
  browserLang: navigator.language, panel: linked.panel, inspect: linked.inspect,
});
let pb: Playback = initial({ trace: linked.trace, step: linked.step, speed: Number(localStorage.getItem("glassplane.speed")) });
let tl = new Timeline(100);
let state: ModelState = tl.stateAt(0);
let lastK = -1;
let room: Classroom = initialClassroom(pageSandbox, localStorage.getItem("glassplane.lessonAt") ?? "");

// ---- actions ----
/** act applies a playback action and draws the page when it changed. */
function act(a: Action): void {
  const before = pb;
  pb = apply(pb, a, tl);
  startReading();
  if (pb !== before) update();
}

function actUI(a: UIAction): void {
  ui = applyUI(ui, a);
  update();
}

// Steps arrive and playback ticks many times a second (a hundred while 50
// pods start); the page is drawn at most once per frame, with what is true
// by then.
let drawQueued = false;

function update() {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => {
    drawQueued = false;
    save();
    render();
  });
}

// The narration's headline, for screen readers, at most every two seconds.
const announcer = new Announcer(byId("narration-live"));

// ---- the stream ----
function newStream(since: number) {
  return new StepStream({
    url: (s) => client.streamURL(s, location),
    connect: (u) => new WebSocket(u) as unknown as SocketLike,
  }, {
    steps: onSteps,
    pacer: (p) => {
      ui = applyUI(ui, { type: "pacer", pacer: p });
      pb = apply(pb, { type: "pacer", mode: p.mode, held: p.waiting, now: Date.now() }, tl);
      startReading();
      update();
    },
    components: (c) => actUI({ type: "components", list: c }),
    live: () => { act({ type: "live" }); void startFromEtcd(); },
    status: (s) => { ui = applyUI(ui, { type: "conn", status: s }); renderHeader(ui, pb.offline); },
  }, since);
}
let stream = newStream(0);

/** startFromEtcd: when the server no longer has the sandbox's first steps
 * (a long session, then a reload), the objects those steps made would be
 * missing from the diagram. So the page reads etcd as it was just before
 * its oldest step and starts the timeline from there. */
async function startFromEtcd() {
  const first = tl.step(0);
  const rev = tl.firstRevision();
  if (!first || first.seq <= 1 || rev <= 1 || pb.offline || tl.rebased) return;
  const t = tl, c = client;
  let keys: EtcdKeyValue[];
  try {
    keys = (await c.etcd(undefined, rev - 1)).keys;
  } catch {
    // Compacted away: the keys that existed before the oldest step, as
    // they are now, are the nearest etcd can say.
    try { keys = (await c.etcd()).keys.filter((k) => k.createRevision < rev); } catch { return; }
  }
  if (t !== tl) return; // another sandbox is shown meanwhile
  tl.rebase(baseline(keys, rev - 1));
  update();
}

function onSteps(batch: Step[]) {
  const atEnd = pb.k >= tl.length;
  tl.append(batch);
  const before = pb;
  pb = apply(pb, { type: "steps", batch, now: Date.now() }, tl);
  startReading();
  if (atEnd || pb.catchingUp || (before.pendingStep && !pb.pendingStep)) update();
  else renderControls(ui.lang, pb, tl);
}

// ---- reading the story of the followed trace ----
// The beats come from the server (GET .../traces/{trace}), read again at
// most four times a second while new steps of the trace arrive; playback
// says when it wants a reading.
let storyTimer = 0;

function startReading() {
  if (!pb.read) return;
  const now = pb.read === "now";
  pb = apply(pb, { type: "reading" }, tl);
  if (storyTimer) {
    if (!now) return; // a reading is due already: steps arriving all the time must not put it off
    clearTimeout(storyTimer);
  }
  storyTimer = window.setTimeout(async () => {
    storyTimer = 0;
    const trace = pb.trace;
    let a: Action;
    try {
      a = { type: "story", trace, detail: await client.trace(trace) };
    } catch {
      a = { type: "storyFailed", trace };
    }
    pb = apply(pb, a, tl);
    startReading();
    update();
  }, now ? 0 : 250);
}

/** followCommand follows the action a terminal command began after seq
 * (the app API names no trace for kubectl, so the traces list tells). */
async function followCommand(after: number) {
  try {
    const traces = await client.traces();
    act({ type: "command", traces, after, now: Date.now() });
  } catch { /* the story stays on what it followed */ }
}

// ---- the player ----
let timer = 0;
function schedule() {
  clearTimeout(timer);
  timer = window.setTimeout(() => {
    const before = pb;
    pb = apply(pb, { type: "tick", now: Date.now(), held: ui.pacer?.waiting, stepMode: ui.pacer?.mode === "step" }, tl);
    startReading();
    if (pb.k !== before.k || pb.jumped !== before.jumped) update();
    schedule();
  }, tickDelay(pb, tl));
}

// ---- actions on the cluster ----
async function setPacer(p: Partial<Pacer>) {
  try {
    const pacer = await client.setPacer(p); // awaited before ui is read: the stream may have changed it meanwhile
    ui = applyUI(ui, { type: "pacerAnswer", pacer });
  } catch (e) { toast(String(e)); }
  update();
}

function partActions(part: string): PartActions | undefined {
  if (pb.offline || ui.readOnly || part === "kubectl") return undefined;
  const p = ui.pacer;
  const comp = ui.components.find((c) => c.name === part);
  const node = part.startsWith("kubelet/") ? part.slice(8) : "";
  const nodeObj = node ? Object.values(state.objects).find((o) => o.kind === "Node" && o.name === node) : undefined;
  return {
    paused: p?.paused.includes(part) ?? false,
    running: comp?.running ?? true,
    breakpoints: (p?.breakpoints ?? []).filter((b) => b.component === part).map((b) => b.stage ?? ""),
    unschedulable: nodeObj?.unschedulable,
    member: /^etcd-\d+$/.test(part) ? comp : undefined,
    togglePause: () => {
      const paused = new Set(p?.paused ?? []);
      if (paused.has(part)) paused.delete(part); else paused.add(part);
      void setPacer({ paused: [...paused] });
    },
    toggleRunning: async () => {
      const before = tl.lastSeq; // a stop or start begins a trace of its own: follow it
      try {
        const list = await client.component(part, comp?.running === false ? "start" : "stop");
        ui = applyUI(ui, { type: "components", list });
        void followCommand(before);
      } catch (e) { toast(String(e)); }
      update();
    },
    toggleBreakpoint: (stage) => {
      const bps = [...(p?.breakpoints ?? [])];
      const i = bps.findIndex((b) => b.component === part && b.stage === stage);
      if (i >= 0) bps.splice(i, 1); else bps.push({ component: part, stage });
      void setPacer({ breakpoints: bps });
    },
    cordon: async (on) => {
      const r = await client.kubectl([on ? "cordon" : "uncordon", node]).catch((e) => ({ stdout: "", stderr: String(e), exitCode: 1 }));
      toast((r.stdout || r.stderr).trim());
    },
  };
}

/** snapshotControls are the etcd pane's snapshot buttons: a restore begins
 * a trace of its own, which the page follows like a stop or a start. */
function snapshotControls(): SnapshotControls | undefined {
  if (pb.offline || ui.readOnly) return undefined;
  return {
    list: ui.snapshots,
    save: async () => {
      try {
        const s = await client.saveSnapshot();
        toast(tr("snapshotSaved", ui.lang, { revision: String(s.revision) }));
        await loadSnapshots();
      } catch (e) { toast(String(e)); }
    },
    restore: async (name) => {
      const before = tl.lastSeq;
      try {
        const r = await client.restoreSnapshot(name);
        toast(tr("snapshotRestored", ui.lang, { snapshot: String(r.snapshot.revision), written: String(r.written.length), deleted: String(r.deleted.length) }));
        void followCommand(before);
      } catch (e) { toast(String(e)); }
    },
  };
}

async function loadSnapshots() {
  if (pb.offline) return;
  try { actUI({ type: "snapshots", list: await client.snapshots() }); } catch { /* the pane keeps what it showed */ }
}

function toast(text: string) {
  const t = byId("toast");
  t.textContent = text;
  t.hidden = !text;
  window.setTimeout(() => { if (t.textContent === text) t.hidden = true; }, 5000);
}

// ---- export and import ----
function exportTrace() {
  const steps = pb.trace ? tl.stepsOf(pb.trace) : [...tl.all()];
  const blob = new Blob([exportSteps(steps, pb.trace || undefined, new Date())], { type: "application/json" });
  const a = h("a", { href: URL.createObjectURL(blob), download: `glassplane-${pb.trace || "steps"}.json` });
  a.click();
  URL.revokeObjectURL(a.href);
}

async function importFile(file: File) {
  try {
    const steps = importSteps(await file.text());
    stream.stop();
    tl = new Timeline(100);
    tl.append(steps);
    ui = applyUI(ui, { type: "conn", status: "closed" });
    pb = apply(pb, { type: "replayFile", name: file.name }, tl);
    update();
    toast(tr("loaded", ui.lang, { n: String(steps.length), file: file.name }));
  } catch {
    toast(tr("badFile", ui.lang));
  }
}

// ---- the classroom ----
// A page asks the server what the class asks of it (model/classroom.ts):
// once, and then every two seconds on a classroom server.
async function askClassroom() {
  let a: ClassroomAction;
  try {
    a = { type: "answer", answer: await classroom() };
  } catch {
    a = { type: "failed" };
  }
  const before = room;
  room = applyClassroom(room, a);
  if (room !== before) {
    if (shownSandbox(room) !== shownSandbox(before)) showSandbox(shownSandbox(room));
    ui = applyUI(ui, { type: "readOnly", on: readOnly(room) });
    if (room.pushed) {
      const { lesson, step } = room.pushed;
      room = applyClassroom(room, { type: "opened" });
      localStorage.setItem("glassplane.lessonAt", room.lessonAt);
      ui = applyUI(ui, { type: "panel", panel: "lessons" });
      void lessons.open(lesson, step);
    }
    update();
  }
  if (readOnly(room)) void followShown();
  if (wantsRoster(room)) void nameViewed();
  if (room.polling) window.setTimeout(askClassroom, pollMs);
}

// While the page shows another's sandbox (the teacher's, followed by the
// class, or a student's, viewed by the teacher), its story follows that
// person's latest action, then each one they begin, as a learner's own
// page follows their terminal commands.
let shownSince = -1; // the last seq already looked at (-1: none yet)
async function followShown() {
  const last = tl.lastSeq, since = shownSince, c = client;
  if (pb.catchingUp || pb.offline || (since >= 0 && last <= since)) return;
  shownSince = last;
  try {
    const trace = teacherTrace(await c.traces(), since);
    if (c === client && trace && trace !== pb.trace) act({ type: "follow", trace, now: Date.now() });
  } catch { /* the story stays on what it followed */ }
}

/** nameViewed reads the roster for the name of the student a teacher views. */
async function nameViewed() {
  try {
    const before = room;
    room = applyClassroom(room, { type: "roster", list: await roster() });
    if (room !== before) update();
  } catch { /* the banner names the sandbox */ }
}

/** showSandbox shows another sandbox's steps, story and diagram, from its present. */
function showSandbox(id: string) {
  stream.stop();
  client = new Client(id);
  tl = new Timeline(100);
  pb = apply(pb, { type: "switchSandbox" }, tl);
  ui = applyUI(ui, { type: "switchSandbox" });
  lastK = -1;
  shownSince = -1;
  stream = newStream(0);
  stream.start();
  void loadSnapshots();
}

function backToLive() {
  tl = new Timeline(100);
  pb = apply(pb, { type: "backToLive" }, tl);
  stream = newStream(0);
  stream.start();
  update();
}

// ---- drawing ----
const svg = byId<HTMLElement>("diagram") as unknown as SVGSVGElement;
const layer = svg.querySelector<SVGGElement>("#layer")!;
const animator = new Animator(svg.querySelector<SVGCircleElement>("#dot")!);
let terminal: Terminal;
let playground: Playground;
const lessons = new LessonPanel(new LessonClient(client.sandbox), () => update(), toast, async (run) => {
  const before = tl.lastSeq; // a lesson's action is followed as a terminal command is
  try { return await run(); } finally { void followCommand(before); }
});

function render() {
  state = tl.stateAt(pb.k);
  const L = ui.lang;
  document.documentElement.lang = L === "zh-TW" ? "zh-Hant-TW" : "en";
  document.body.dataset.theme = ui.theme;
  document.body.classList.toggle("present", ui.present);
  document.body.dataset.panel = ui.panel; // presenting shows the side panel for the story only
  document.body.classList.toggle("readonly", ui.readOnly);
  renderBanner(byId("classroom-banner"), banner(room), L);
  const focused = focusKey(layer); // the diagram is drawn anew: keep the keyboard's place in it
  layer.innerHTML = renderDiagram(state, {
    lang: L, selected: ui.selected,
    stopped: new Set(ui.components.filter((c) => !c.running).map((c) => c.name)),
    paused: new Set(ui.pacer?.paused ?? []), waiting: new Set((ui.pacer?.waiting ?? []).map((s) => s.component)),
    members: ui.components.filter((c) => c.role !== undefined || /^etcd-\d+$/.test(c.name)),
  });
  refocus(layer, focused);
  if (pb.k !== lastK) {
    const line = state.route ? routeLine(layout(state.nodes), state.route.from, state.route.to) : undefined;
    animator.run(pb.animate ? line : undefined, Math.min(900, 800 / pb.speed + 150));
    lastK = pb.k;
  }
  renderWelcomeAndNarration();
  renderHeader(ui, pb.offline);
  renderControls(L, pb, tl);
  renderPanels({
    ui, pb, state, lessons, terminal, playground, partActions,
    toggleEtcdKey: (key) => actUI({ type: "etcdKey", key }),
    snapshots: snapshotControls(),
    toggleBackground: () => act({ type: "toggleBackground" }),
    toggleBeat: (first) => act({ type: "toggleBeat", first }),
    selectStep: (seq) => {
      ui = applyUI(ui, { type: "inspectStep" });
      pb = apply(pb, { type: "showStep", seq }, tl);
      update();
    },
  });
}

/** focusKey finds the diagram's element that has the keyboard focus, if
 * any, as a selector and its index among the elements it selects (a pod is
 * drawn in the object tree and in its node's box). */
function focusKey(root: Element): [string, number] | undefined {
  const el = document.activeElement;
  if (!el || !root.contains(el)) return undefined;
  for (const attr of ["data-object", "data-part"]) {
    const v = el.getAttribute(attr);
    if (v === null) continue;
    const css = `[${attr}="${CSS.escape(v)}"]`;
    return [css, [...root.querySelectorAll(css)].indexOf(el)];
  }
  return undefined;
}

function refocus(root: Element, key: [string, number] | undefined) {
  if (!key) return;
  const all = root.querySelectorAll<SVGElement>(key[0]);
  (all[key[1]] ?? all[0])?.focus({ preventScroll: true });
}

function renderWelcomeAndNarration() {
  const el = byId("narration");
  keepFocus(el, () => renderNarration(el, state, {
    lang: ui.lang, welcome: !localStorage.getItem("glassplane.seen") && !ui.present && !ui.readOnly, // it asks for the playground, which a read-only page hides
    dismissWelcome: () => { localStorage.setItem("glassplane.seen", "1"); renderWelcomeAndNarration(); },
  }));
  announcer.say(byId("narration").querySelector(".what")?.textContent ?? "");
}

function save() {
  const hash = formatHash({
    step: hashStep(pb, tl), trace: pb.trace || undefined,
    lesson: lessons.id || undefined, lessonStep: lessons.lesson ? lessons.viewed : undefined,
    panel: ui.panel === "playground" ? undefined : ui.panel, inspect: ui.selected || undefined,
  });
  if (hash !== location.hash && !(hash === "" && location.hash === "")) history.replaceState(null, "", hash || location.pathname + location.search);
  localStorage.setItem("glassplane.lang", ui.lang);
  localStorage.setItem("glassplane.theme", ui.theme);
  localStorage.setItem("glassplane.present", ui.present ? "1" : "0");
  localStorage.setItem("glassplane.speed", String(pb.speed));
}

// ---- events ----
function selectFromDiagram(target: EventTarget | null) {
  const el = (target as Element | null)?.closest?.("[data-object],[data-part]");
  if (!el) return;
  actUI({ type: "inspect", key: el.getAttribute("data-object") ?? el.getAttribute("data-part") ?? "" });
}

function toggleHelp(show?: boolean) {
  ui = applyUI(ui, { type: "help", show });
  renderHelp(ui);
  if (ui.help) byId("help-close").focus();
}

function wire() {
  svg.addEventListener("click", (e) => selectFromDiagram(e.target));
  svg.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); e.stopPropagation(); selectFromDiagram(e.target); }
  });
  byId("play").onclick = () => act({ type: "togglePlay" });
  byId("back").onclick = () => act({ type: "back" });
  byId("fwd").onclick = () => act({ type: "forward" });
  byId("end").onclick = () => act({ type: "end" });
  byId<HTMLInputElement>("scrub").oninput = (e) => act({ type: "scrub", k: Number((e.target as HTMLInputElement).value) });
  byId<HTMLSelectElement>("speed").onchange = (e) => { act({ type: "speed", speed: Number((e.target as HTMLSelectElement).value) }); schedule(); };
  byId<HTMLSelectElement>("trace").onchange = (e) => act({ type: "chooseTrace", trace: (e.target as HTMLSelectElement).value, now: Date.now() });
  byId("export").onclick = exportTrace;
  byId<HTMLInputElement>("import").onchange = (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void importFile(f);
  };
  byId("tolive").onclick = backToLive;
  for (const m of ["live", "slow", "step"] as const) byId(`mode-${m}`).onclick = () => void setPacer({ mode: m });
  byId("next").onclick = async () => {
    try {
      const { pacer } = await client.next();
      ui = applyUI(ui, { type: "pacerAnswer", pacer });
    } catch (e) { toast(String(e)); }
    update();
  };
  byId("lang").onclick = () => actUI({ type: "lang" });
  byId("theme").onclick = () => actUI({ type: "theme" });
  byId("present").onclick = () => actUI({ type: "present" });
  byId("helpbtn").onclick = () => toggleHelp();
  byId("help-close").onclick = () => toggleHelp(false);
  for (const p of panels) byId(`tab-${p}`).onclick = () => {
    actUI({ type: "panel", panel: p });
    if (p === "terminal") terminal.focus();
    if (p === "etcd") void loadSnapshots();
  };
  byId("tabs").addEventListener("keydown", (e) => {
    if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      e.preventDefault(); e.stopPropagation();
      actUI({ type: "panelBy", by: e.key === "ArrowRight" ? 1 : -1 });
      byId(`tab-${ui.panel}`).focus();
    }
  });
  document.addEventListener("keydown", onKey);
  window.addEventListener("hashchange", () => {
    const v = parseHash(location.hash);
    if (v.step) act({ type: "link", seq: v.step });
    if (v.lesson && v.lesson !== lessons.id) void lessons.open(v.lesson, v.lessonStep);
    else if (v.lesson && v.lessonStep !== undefined && v.lessonStep !== lessons.viewed) lessons.show(v.lessonStep);
  });
}

function onKey(e: KeyboardEvent) {
  const t = e.target as HTMLElement;
  if (t.closest?.("input, textarea, select, .cm-editor, [contenteditable]")) return;
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  switch (e.key) {
    case " ": if (t.tagName === "BUTTON") return; e.preventDefault(); act({ type: "togglePlay" }); break;
    case "ArrowRight": e.preventDefault(); act({ type: "forward" }); break;
    case "ArrowLeft": e.preventDefault(); act({ type: "back" }); break;
    case "Home": act({ type: "home" }); break;
    case "End": act({ type: "end" }); break;
    case "?": toggleHelp(); break;
    case "Escape": toggleHelp(false); if (ui.present) actUI({ type: "present", on: false }); break;
    case "p": actUI({ type: "present" }); break;
    case "s": actUI({ type: "panel", panel: ui.panel === "story" ? "playground" : "story" }); break;
    case "t": actUI({ type: "theme" }); break;
    case "l": actUI({ type: "lang" }); break;
  }
}

// ---- start ----
byId("back").innerHTML = icons.back;
byId("fwd").innerHTML = icons.fwd;
byId("end").innerHTML = icons.end;
terminal = new Terminal(async (args, stdin) => {
  const before = tl.lastSeq;
  const r = await client.kubectl(args, stdin);
  void followCommand(before);
  return r;
}, ui.lang);
playground = new Playground(async (text) => (await client.apply(text)).results, ui.lang, (trace, ok) => {
  pb = apply(pb, { type: "follow", trace, now: Date.now() }, tl);
  ui = applyUI(ui, { type: "applied", ok });
  startReading();
  update();
});
byId("panel-terminal").append(terminal.el);
byId("panel-playground").append(playground.el);
wire();
startReading();
update();
if (linked.lesson) void lessons.open(linked.lesson, linked.lessonStep);
schedule();
stream.start();
void askClassroom();
void loadSnapshots();
