// Glassplane's browser app. The wiring, RaftScope style: the model (pure)
// knows the cluster after k steps, the timeline keeps the history, the views
// draw them. Every user action is model op → save (URL hash, localStorage)
// → render.

import { Client, ComponentStatus, Pacer } from "./api/client.js";
import { StepStream, StreamStatus } from "./api/stream.js";
import { Timeline } from "./timeline/timeline.js";
import { ModelState } from "./model/cluster.js";
import { Step } from "./model/step.js";
import { codeFor, codeText } from "./model/code.js";
import { exportSteps, importSteps } from "./model/exportfile.js";
import { formatHash, parseHash } from "./model/viewstate.js";
import { Lang } from "./i18n/catalog.js";
import { narrate, partName, tr } from "./i18n/narrate.js";
import { Animator, layout, renderDiagram, routeLine } from "./view/diagram.js";
import { objectView, partView, PartActions, stepDetail } from "./view/inspector.js";
import { renderEtcd } from "./view/etcdpane.js";
import { Terminal } from "./view/terminal.js";
import { Playground } from "./view/editor.js";
import { LessonPanel } from "./view/lessons.js";
import { LessonClient } from "./api/lessons.js";
import { byId, clear, h } from "./view/dom.js";
import { Beat, beatIndex, catchUp, followDelay, heldTrace, pickFollow, playable, shouldPlay, staysAt, TraceDetail } from "./model/story.js";
import { renderStory } from "./view/story.js";

type Panel = "inspector" | "playground" | "story" | "terminal" | "etcd" | "lessons";
const panels: Panel[] = ["playground", "story", "inspector", "terminal", "etcd", "lessons"];
const icons = {
  play: `<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M4 2l10 6-10 6z"/></svg>`,
  pause: `<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M3 2h4v12H3zM9 2h4v12H9z"/></svg>`,
  back: `<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M2 2h2v12H2zM14 2v12L5 8z"/></svg>`,
  fwd: `<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M12 2h2v12h-2zM2 2v12l9-6z"/></svg>`,
  end: `<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M1 2v12l6-6zM7 2v12l6-6zM13 2h2v12h-2z"/></svg>`,
};
const speeds = [0.5, 1, 2, 4, 8, 16];

const query = new URLSearchParams(location.search);
const client = new Client(query.get("sandbox") || "default");
const initial = parseHash(location.hash);

const app = {
  lang: (query.get("lang") === "zh-TW" || query.get("lang") === "en" ? query.get("lang") : localStorage.getItem("glassplane.lang")) as Lang || (navigator.language.startsWith("zh") ? "zh-TW" : "en") as Lang,
  theme: (query.get("theme") === "dark" || query.get("theme") === "light" ? query.get("theme") : localStorage.getItem("glassplane.theme")) || (matchMedia("(prefers-color-scheme: light)").matches ? "light" : "dark"),
  present: query.has("present"),
  k: 0,
  playing: true,
  speed: Number(localStorage.getItem("glassplane.speed")) || 4,
  trace: initial.trace ?? "",
  pendingStep: initial.step ?? 0,
  selected: initial.inspect ?? "",
  panel: (panels.includes(initial.panel as Panel) ? initial.panel : "playground") as Panel,
  pacer: null as Pacer | null,
  components: [] as ComponentStatus[],
  conn: "connecting" as StreamStatus,
  offline: "",
  catchingUp: true,
  etcdOpen: new Set<string>(),
  help: false,
  story: undefined as TraceDetail | undefined, // the followed trace's beats, as the server groups them
  storyFailed: "", // a trace whose beats could not be read: it plays whole
  showBackground: false,
  expanded: new Set<number>(),
};

let tl = new Timeline(100);
let state: ModelState = tl.stateAt(0);
let lastK = -1;

// ---- the stream ----
function newStream(since: number) {
  return new StepStream({
    url: (s) => client.streamURL(s, location),
    connect: (u) => new WebSocket(u) as unknown as import("./api/stream.js").SocketLike,
  }, {
    steps: onSteps,
    pacer: (p) => {
      app.pacer = p;
      const t = p.mode === "step" ? heldTrace(app.trace, p.waiting) : "";
      if (t) follow(t); // the action the cluster now waits on is the one to watch
      render();
    },
    components: (c) => { app.components = c; render(); },
    live: onLive,
    status: (s) => { app.conn = s; renderHeader(); },
  }, since);
}
let stream = newStream(0);

function onSteps(batch: Step[]) {
  let atEnd = app.k >= tl.length;
  tl.append(batch);
  if (app.pendingStep) {
    const k = tl.indexOfSeq(app.pendingStep);
    // A linked step may come in a later chunk of the history: draw it when it does.
    if (k > 0) { app.k = k; app.pendingStep = 0; app.playing = false; app.catchingUp = false; atEnd = true; }
  } else if (app.catchingUp) {
    app.k = tl.length; // start at the present, not at the cluster's boot
  }
  if (app.trace && batch.some((s) => s.trace === app.trace)) {
    traceHeardAt = Date.now();
    caughtUp = false;
    refreshStory();
  }
  if (app.trace && !app.catchingUp && app.k < (tl.trace(app.trace)?.first ?? 0)) app.k = tl.trace(app.trace)!.first;
  if (atEnd || app.catchingUp) render();
  else renderControls();
}

// The server has sent the whole history (in pages); from now on steps are live.
function onLive() {
  if (!app.catchingUp) return;
  app.catchingUp = false;
  if (app.trace && app.k < (tl.trace(app.trace)?.first ?? 0)) app.k = tl.trace(app.trace)!.first;
  render();
}

// ---- the story of the followed trace ----
// The beats come from the server (GET .../traces/{trace}), read again at
// most four times a second while new steps of the trace arrive. Following a trace plays the
// steps of its foreground beats (all of them with the background shown),
// and waits at a step the last reading did not cover yet.
let storyTimer = 0;
let storyIndex = new Map<number, Beat>();
let storyPlays: Set<number> | undefined;

let storyPending = false;
let traceHeardAt = 0; // when the followed trace last brought a step
let caughtUp = false; // the follower jumped to the present since then

function refreshStory(delay = 250) {
  if (app.offline || !app.trace) return;
  if (storyTimer) {
    if (delay > 0) return; // a reading is due already: steps arriving all the time must not put it off
    clearTimeout(storyTimer);
  }
  storyPending = true;
  storyTimer = window.setTimeout(async () => {
    storyTimer = 0;
    const trace = app.trace;
    try {
      const d = await client.trace(trace);
      storyPending = false;
      // Answers can cross: an older reading never replaces a newer one.
      if (trace !== app.trace || (app.story?.trace === trace && d.last < app.story.last)) return;
      app.story = d;
      storyIndex = beatIndex(d.beatList);
      storyPlays = playable(d.beatList);
    } catch {
      storyPending = false;
      if (trace === app.trace && !app.story) app.storyFailed = trace;
    }
    render();
  }, delay);
}

function follow(trace: string) {
  if (trace === app.trace && app.story) return;
  app.trace = trace;
  app.story = undefined;
  app.storyFailed = "";
  app.expanded.clear();
  traceHeardAt = Date.now();
  caughtUp = false;
  storyIndex = new Map();
  storyPlays = undefined;
  refreshStory(0);
}

/** followCommand follows the action a terminal command began after seq
 * (the app API names no trace for kubectl, so the traces list tells). */
async function followCommand(after: number) {
  try {
    const t = pickFollow(await client.traces(), after);
    if (!t || t === app.trace) return;
    follow(t);
    app.playing = true;
    const s = tl.trace(t);
    if (s) app.k = s.first;
    render();
  } catch { /* the story stays on what it followed */ }
}

/** nextK is the k of the next step to show after k: in the followed trace,
 * the next step of a foreground beat (-1 while the beats are not read yet). */
function nextK(k: number): number {
  if (!app.trace) return tl.nextIn(k, "");
  const d = app.story?.trace === app.trace ? app.story : undefined;
  if (app.offline || app.storyFailed === app.trace || app.showBackground || (d && !storyPlays)) return tl.nextIn(k, app.trace);
  if (!d) return -1;
  for (let i = k; i < tl.length; i++) {
    const s = tl.step(i)!;
    if (s.trace !== app.trace) continue;
    if (s.seq > d.last && s.outcome !== "waiting") {
      if (!storyPending) refreshStory(); // a step the last reading did not cover
      return -1;
    }
    if (shouldPlay(s, storyPlays!)) return i + 1;
  }
  return -1;
}

/** tickDelay is how long the player shows a step before the next one. */
function tickDelay(): number {
  if (!app.trace || !app.story || app.k >= tl.length) return 1000 / app.speed;
  const k = nextK(app.k);
  const beat = k > 0 ? storyIndex.get(tl.step(k - 1)!.seq) : undefined;
  return beat ? followDelay(app.speed, beat.steps.length) : 1000 / app.speed;
}

// ---- moving through time ----
function go(k: number, animate = false) {
  app.k = Math.max(0, Math.min(k, tl.length));
  render(animate);
}

function forward(): boolean {
  const k = nextK(app.k);
  if (k < 0) return false;
  go(k, true);
  return true;
}

function back() {
  const k = tl.prevIn(app.k, app.trace);
  go(k < 0 ? 0 : k);
}

let timer = 0;
function schedule() {
  clearTimeout(timer);
  timer = window.setTimeout(() => {
    if (app.playing && !staysAt(tl.step(app.k - 1), app.pacer?.waiting, app.trace) && !forward() && app.trace && !app.offline && app.pacer?.mode !== "step" &&
      catchUp({ playing: app.playing, hasNext: false, reading: storyPending, quietMs: Date.now() - traceHeardAt, jumped: caughtUp })) {
      caughtUp = true;
      go(tl.length); // the action is over: show where everything it caused got to
    }
    schedule();
  }, tickDelay());
}

// ---- actions on the cluster ----
// An answer of the app API can be older than the pacer the stream has sent
// since (Next releases a step, the stream already shows the next one held),
// so while the stream is open it alone sets app.pacer.
function pacerAnswer(p: Pacer) {
  if (app.conn !== "open") app.pacer = p;
}

async function setPacer(p: Partial<Pacer>) {
  try { pacerAnswer(await client.setPacer(p)); } catch (e) { toast(String(e)); }
  render();
}

function partActions(part: string): PartActions | undefined {
  if (app.offline || part === "kubectl") return undefined;
  const p = app.pacer;
  const comp = app.components.find((c) => c.name === part);
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
      try { app.components = await client.component(part, comp?.running === false ? "start" : "stop"); } catch (e) { toast(String(e)); }
      render();
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

function toast(text: string) {
  const t = byId("toast");
  t.textContent = text;
  t.hidden = !text;
  window.setTimeout(() => { if (t.textContent === text) t.hidden = true; }, 5000);
}

// ---- export and import ----
function exportTrace() {
  const steps = app.trace ? tl.stepsOf(app.trace) : [...tl.all()];
  const blob = new Blob([exportSteps(steps, app.trace || undefined, new Date())], { type: "application/json" });
  const a = h("a", { href: URL.createObjectURL(blob), download: `glassplane-${app.trace || "steps"}.json` });
  a.click();
  URL.revokeObjectURL(a.href);
}

async function importFile(file: File) {
  try {
    const steps = importSteps(await file.text());
    stream.stop();
    tl = new Timeline(100);
    tl.append(steps);
    app.offline = file.name;
    app.trace = "";
    app.story = undefined;
    app.catchingUp = false;
    app.playing = true;
    app.conn = "closed";
    go(0);
    toast(tr("loaded", app.lang, { n: String(steps.length), file: file.name }));
  } catch {
    toast(tr("badFile", app.lang));
  }
}

function backToLive() {
  tl = new Timeline(100);
  app.offline = "";
  app.catchingUp = true;
  app.k = 0;
  stream = newStream(0);
  stream.start();
  render();
}

// ---- rendering ----
const svg = byId<HTMLElement>("diagram") as unknown as SVGSVGElement;
const layer = svg.querySelector<SVGGElement>("#layer")!;
const animator = new Animator(svg.querySelector<SVGCircleElement>("#dot")!);
let terminal: Terminal;
let playground: Playground;
const lessons = new LessonPanel(new LessonClient(client.sandbox), () => render(), toast);

function render(animate = false) {
  state = tl.stateAt(app.k);
  const L = app.lang;
  document.documentElement.lang = L === "zh-TW" ? "zh-Hant-TW" : "en";
  document.body.dataset.theme = app.theme;
  document.body.classList.toggle("present", app.present);
  const waiting = new Set((app.pacer?.waiting ?? []).map((s) => s.component));
  const ctx = {
    lang: L, selected: app.selected,
    stopped: new Set(app.components.filter((c) => !c.running).map((c) => c.name)),
    paused: new Set(app.pacer?.paused ?? []), waiting,
    members: app.components.filter((c) => c.role !== undefined || /^etcd-\d+$/.test(c.name)),
  };
  layer.innerHTML = renderDiagram(state, ctx);
  if (app.k !== lastK) {
    const line = state.route ? routeLine(layout(state.nodes), state.route.from, state.route.to) : undefined;
    animator.run(animate ? line : undefined, Math.min(900, 800 / app.speed + 150));
    lastK = app.k;
  }
  renderNarration();
  renderHeader();
  renderControls();
  renderPanel();
  save();
}

function save() {
  const cur = state.current;
  const hash = formatHash({
    step: app.k < tl.length || !app.playing ? cur?.seq : undefined, trace: app.trace || undefined,
    lesson: lessons.id || undefined, lessonStep: lessons.lesson ? lessons.viewed : undefined, panel: app.panel === "playground" ? undefined : app.panel, inspect: app.selected || undefined,
  });
  if (hash !== location.hash && !(hash === "" && location.hash === "")) history.replaceState(null, "", hash || location.pathname + location.search);
  localStorage.setItem("glassplane.lang", app.lang);
  localStorage.setItem("glassplane.theme", app.theme);
  localStorage.setItem("glassplane.speed", String(app.speed));
}

function renderNarration() {
  const el = byId("narration");
  clear(el);
  const L = app.lang;
  const s = state.current;
  if (!localStorage.getItem("glassplane.seen") && !app.present) {
    el.append(h("div", { class: "intro" }, h("p", {}, tr("welcome", L)),
      h("button", { onclick: () => { localStorage.setItem("glassplane.seen", "1"); renderNarration(); } }, tr("gotIt", L))));
  }
  if (!s) {
    el.append(h("p", { class: "what" }, tr("tagline", L)), h("p", { class: "why" }, tr("welcome", L)));
    return;
  }
  const n = narrate(s, state.route, L);
  const badge = h("span", { class: `badge outcome-${s.outcome}` }, `#${s.seq} · ${partName(s.component, L).replace(/^the /, "")} · ${s.stage}`);
  el.append(h("p", { class: "meta" }, badge), h("p", { class: "what" }, n.what));
  el.append(h("p", { class: "why" }, n.why + (n.next ? " " + n.next : "")));
  const code = codeFor(s);
  if (code) {
    const text = codeText(code);
    el.append(h("p", { class: "code-link" }, `${tr("readCode", L)}: `, h("code", {}, text),
      h("button", { class: "small", onclick: () => void navigator.clipboard?.writeText(text) }, tr("copy", L))));
  }
}

function renderHeader() {
  const L = app.lang;
  const conn = byId("conn");
  conn.className = `pill conn-${app.offline ? "file" : app.conn}`;
  conn.textContent = app.offline ? `${tr("replaying", L)}: ${app.offline}` : tr(app.conn === "open" ? "connected" : app.conn === "connecting" ? "connecting" : "offline", L);
  const live = byId("tolive");
  live.hidden = !app.offline;
  live.textContent = tr("backToLive", L);
  byId("pacer-label").textContent = tr("pacer", L);
  for (const m of ["live", "slow", "step"] as const) {
    const b = byId(`mode-${m}`);
    b.textContent = tr(`mode${m[0].toUpperCase()}${m.slice(1)}`, L);
    b.setAttribute("aria-pressed", String(app.pacer?.mode === m));
    (b as HTMLButtonElement).disabled = !!app.offline;
  }
  const held = app.pacer?.waiting?.length ?? 0;
  const next = byId<HTMLButtonElement>("next");
  next.textContent = `${tr("next", L)}${held ? ` (${held} ${tr("waiting", L)})` : ""}`;
  next.title = tr("nextHint", L);
  next.disabled = !!app.offline || (held === 0 && app.pacer?.mode !== "step");
  next.classList.toggle("attention", held > 0);
  byId("lang").textContent = tr("language", L);
  byId("theme").textContent = app.theme === "dark" ? tr("light", L) : tr("dark", L);
  byId("present").textContent = tr("present", L);
  byId("present").setAttribute("aria-pressed", String(app.present));
  byId("helpbtn").setAttribute("aria-label", tr("help", L));
  byId("tagline").textContent = tr("tagline", L);
}

function renderControls() {
  const L = app.lang;
  const play = byId("play");
  play.innerHTML = app.playing ? icons.pause : icons.play;
  play.setAttribute("aria-label", tr(app.playing ? "pause" : "play", L));
  byId("back").setAttribute("aria-label", tr("back", L));
  byId("fwd").setAttribute("aria-label", tr("forward", L));
  byId("end").setAttribute("aria-label", tr("live", L));
  const scrub = byId<HTMLInputElement>("scrub");
  scrub.max = String(tl.length);
  scrub.value = String(app.k);
  scrub.setAttribute("aria-label", tr("step", L));
  byId("count").textContent = `${tr("step", L)} ${app.k} ${tr("of", L)} ${tl.length}`;
  const speed = byId<HTMLSelectElement>("speed");
  if (speed.options.length === 0) for (const s of speeds) speed.append(h("option", { value: String(s) }, `${s}×`));
  speed.value = String(app.speed);
  speed.setAttribute("aria-label", tr("speed", L));
  const sel = byId<HTMLSelectElement>("trace");
  const traces = tl.traces().filter((t) => isUserTrace(t.root)).slice(-40);
  const want = [["", tr("allTraces", L)], ...traces.reverse().map((t) => [t.trace, traceLabel(t.action ?? t.root, t.count)])];
  if (sel.dataset.sig !== JSON.stringify(want)) {
    clear(sel);
    for (const [v, label] of want) sel.append(h("option", { value: v }, label));
    sel.dataset.sig = JSON.stringify(want);
  }
  if (app.trace && !want.some(([v]) => v === app.trace)) sel.append(h("option", { value: app.trace }, app.trace));
  sel.value = app.trace;
  sel.setAttribute("aria-label", tr("trace", L));
  byId("export").textContent = tr("export", L);
  byId("import-label").textContent = tr("import", L);
}

function isUserTrace(root: Step): boolean {
  const ua = (root.detail as { userAgent?: string } | undefined)?.userAgent ?? "";
  return root.stage === "request" && !ua.startsWith("system:") && !/kube-|controller|scheduler/.test(ua);
}

function traceLabel(root: Step, count: number): string {
  const a = root.message?.args ?? {};
  const time = new Date(root.time).toLocaleTimeString();
  const name = root.object?.name ? ` ${root.object.name}` : "";
  return `${time} ${a.verb ?? root.stage} ${a.resource ?? root.object?.kind ?? ""}${name} (${count})`;
}

function renderPanel() {
  const L = app.lang;
  for (const p of panels) {
    const tab = byId(`tab-${p}`);
    tab.textContent = tr(p === "inspector" ? "inspector" : p === "etcd" ? "etcdTab" : p === "story" ? "storyTab" : p, L);
    tab.setAttribute("aria-selected", String(app.panel === p));
    tab.tabIndex = app.panel === p ? 0 : -1;
    byId(`panel-${p}`).hidden = app.panel !== p;
  }
  if (app.panel === "inspector") {
    const el = byId("panel-inspector");
    clear(el);
    const sel = app.selected;
    const obj = sel ? state.objects[sel] : undefined;
    if (obj) el.append(objectView(state, obj, L));
    else if (sel && sel !== "step") el.append(partView(sel, state, L, partActions(sel)));
    if (state.current) el.append(stepDetail(state.current, L));
    else el.append(h("p", { class: "muted" }, tr("clickHint", L)));
  } else if (app.panel === "story") {
    renderStoryPanel();
  } else if (app.panel === "etcd") {
    const el = byId("panel-etcd");
    clear(el);
    el.append(renderEtcd(state, L, app.etcdOpen, (k) => {
      if (app.etcdOpen.has(k)) app.etcdOpen.delete(k); else app.etcdOpen.add(k);
      renderPanel();
    }));
  }
  lessons.render(byId("panel-lessons"), byId("lesson-dock"), { lang: L, dock: app.panel !== "lessons" || app.present });
  terminal.setLang(L);
  playground.setLang(L);
}

function renderStoryPanel() {
  const el = byId("panel-story");
  const d = app.story?.trace === app.trace ? app.story : undefined;
  const cur = state.current?.seq;
  const curBeat = cur === undefined ? undefined : storyIndex.get(cur)?.first;
  const sig = JSON.stringify([app.lang, app.trace, d?.last, d?.stepList.length, app.showBackground, [...app.expanded],
    curBeat, curBeat !== undefined && app.expanded.has(curBeat) ? cur : 0]);
  if (el.dataset.sig === sig) return;
  el.dataset.sig = sig;
  const top = el.scrollTop;
  clear(el);
  el.append(renderStory({
    lang: app.lang, detail: d, following: !!app.trace, showBackground: app.showBackground, expanded: app.expanded, current: cur,
    toggleBackground: () => { app.showBackground = !app.showBackground; render(); },
    toggleBeat: (first) => {
      if (app.expanded.has(first)) app.expanded.delete(first); else app.expanded.add(first);
      render();
      el.querySelector(`li.beat[data-beat="${first}"]`)?.scrollIntoView({ block: "nearest" });
    },
    selectStep: (seq) => {
      const k = tl.indexOfSeq(seq);
      if (k < 0) return;
      app.playing = false;
      app.selected = "step";
      app.panel = "inspector";
      go(k);
    },
  }));
  el.scrollTop = top;
}

// ---- events ----
function selectFromDiagram(target: EventTarget | null) {
  const el = (target as Element | null)?.closest?.("[data-object],[data-part]");
  if (!el) return;
  app.selected = el.getAttribute("data-object") ?? el.getAttribute("data-part") ?? "";
  app.panel = "inspector";
  render();
}

function wire() {
  svg.addEventListener("click", (e) => selectFromDiagram(e.target));
  svg.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); e.stopPropagation(); selectFromDiagram(e.target); }
  });
  byId("play").onclick = () => { app.playing = !app.playing; if (app.playing && app.k >= tl.length) app.k = tl.length; render(); };
  byId("back").onclick = () => { app.playing = false; back(); };
  byId("fwd").onclick = () => { app.playing = false; forward(); };
  byId("end").onclick = () => { app.playing = true; go(tl.length); };
  byId<HTMLInputElement>("scrub").oninput = (e) => { app.playing = false; go(Number((e.target as HTMLInputElement).value)); };
  byId<HTMLSelectElement>("speed").onchange = (e) => { app.speed = Number((e.target as HTMLSelectElement).value); schedule(); render(); };
  byId<HTMLSelectElement>("trace").onchange = (e) => {
    follow((e.target as HTMLSelectElement).value);
    const t = tl.trace(app.trace);
    if (t) { app.k = t.first + 1; app.playing = true; }
    render();
  };
  byId("export").onclick = exportTrace;
  byId<HTMLInputElement>("import").onchange = (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void importFile(f);
  };
  byId("tolive").onclick = backToLive;
  for (const m of ["live", "slow", "step"] as const) byId(`mode-${m}`).onclick = () => void setPacer({ mode: m });
  byId("next").onclick = async () => {
    try { pacerAnswer((await client.next()).pacer); } catch (e) { toast(String(e)); }
    render();
  };
  byId("lang").onclick = () => { app.lang = app.lang === "en" ? "zh-TW" : "en"; render(); };
  byId("theme").onclick = () => { app.theme = app.theme === "dark" ? "light" : "dark"; render(); };
  byId("present").onclick = () => { app.present = !app.present; render(); };
  byId("helpbtn").onclick = () => toggleHelp();
  byId("help-close").onclick = () => toggleHelp(false);
  for (const p of panels) byId(`tab-${p}`).onclick = () => { app.panel = p; render(); if (p === "terminal") terminal.focus(); };
  byId("tabs").addEventListener("keydown", (e) => {
    const i = panels.indexOf(app.panel);
    if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      e.preventDefault(); e.stopPropagation();
      app.panel = panels[(i + (e.key === "ArrowRight" ? 1 : panels.length - 1)) % panels.length];
      render();
      byId(`tab-${app.panel}`).focus();
    }
  });
  document.addEventListener("keydown", onKey);
  window.addEventListener("hashchange", () => {
    const v = parseHash(location.hash);
    if (v.step) { const k = tl.indexOfSeq(v.step); if (k > 0 && k !== app.k) { app.playing = false; go(k); } }
    if (v.lesson && v.lesson !== lessons.id) void lessons.open(v.lesson, v.lessonStep);
    else if (v.lesson && v.lessonStep !== undefined && v.lessonStep !== lessons.viewed) lessons.show(v.lessonStep);
  });
}

function toggleHelp(show = !app.help) {
  app.help = show;
  const d = byId("help");
  d.hidden = !show;
  byId("help-title").textContent = tr("help", app.lang);
  byId("help-text").textContent = tr("helpText", app.lang);
  byId("help-close").textContent = tr("close", app.lang);
  if (show) byId("help-close").focus();
}

function onKey(e: KeyboardEvent) {
  const t = e.target as HTMLElement;
  if (t.closest?.("input, textarea, select, .cm-editor, [contenteditable]")) return;
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  switch (e.key) {
    case " ": if (t.tagName === "BUTTON") return; e.preventDefault(); app.playing = !app.playing; render(); break;
    case "ArrowRight": e.preventDefault(); app.playing = false; forward(); break;
    case "ArrowLeft": e.preventDefault(); app.playing = false; back(); break;
    case "Home": app.playing = false; go(app.trace ? (tl.trace(app.trace)?.first ?? 0) + 1 : 0); break;
    case "End": app.playing = true; go(tl.length); break;
    case "?": toggleHelp(); break;
    case "Escape": toggleHelp(false); if (app.present) { app.present = false; render(); } break;
    case "p": app.present = !app.present; render(); break;
    case "t": app.theme = app.theme === "dark" ? "light" : "dark"; render(); break;
    case "l": app.lang = app.lang === "en" ? "zh-TW" : "en"; render(); break;
  }
}

// ---- start ----
byId("back").innerHTML = icons.back;
byId("fwd").innerHTML = icons.fwd;
byId("end").innerHTML = icons.end;
terminal = new Terminal(async (args) => {
  const before = tl.lastSeq;
  const r = await client.kubectl(args);
  void followCommand(before);
  return r;
}, app.lang);
playground = new Playground(async (text) => (await client.apply(text)).results, app.lang, (trace, ok) => {
  follow(trace);
  app.playing = true;
  const t = tl.trace(trace);
  if (t) app.k = t.first;
  if (ok && app.panel === "playground") app.panel = "story";
  render();
});
byId("panel-terminal").append(terminal.el);
byId("panel-playground").append(playground.el);
wire();
if (app.trace) refreshStory(0);
render();
if (initial.lesson) void lessons.open(initial.lesson, initial.lessonStep);
schedule();
stream.start();
