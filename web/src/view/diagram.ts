// The cluster diagram: you (kubectl) on the left, the control plane in the
// middle (controller manager, scheduler, API server with its request chain,
// etcd and the objects it holds), the nodes on the right with their kubelets
// and pods. The current step lights the part that took it and draws its
// message as an arrow from sender to receiver, with a dot travelling along.
//
// The SVG is rebuilt from the model on each render (a few hundred elements);
// clicks are delegated: any element with data-part or data-object is a
// button for the inspector.

import { ClusterObject, ModelState } from "../model/cluster.js";
import { ownershipTree, podsOn, TreeNode } from "../model/tree.js";
import { controllers, Lang, parts, stages } from "../i18n/catalog.js";
import { controllerName, pick, stateName, tr } from "../i18n/narrate.js";
import { esc } from "./dom.js";
import type { ComponentStatus } from "../api/client.js";

interface Box { x: number; y: number; w: number; h: number }

export const viewWidth = 1000, viewHeight = 600;

const fixed: Record<string, Box> = {
  kubectl: { x: 12, y: 236, w: 128, h: 104 },
  "controller-manager": { x: 172, y: 40, w: 268, h: 146 },
  scheduler: { x: 456, y: 40, w: 206, h: 146 },
  apiserver: { x: 172, y: 212, w: 490, h: 134 },
  etcd: { x: 172, y: 372, w: 188, h: 206 },
  objects: { x: 376, y: 372, w: 286, h: 206 },
};
const frame: Box = { x: 158, y: 8, w: 518, h: 584 };

const controllerChips = ["deployment", "replicaset", "node", "endpoints", "namespace", "serviceaccount", "garbagecollector"];

/** The controllers without a chip of their own, longest name first so a
 * prefix never hides a longer name ("cronjob" before "job"). */
const otherControllers = Object.keys(controllers).filter((c) => !controllerChips.includes(c))
  .sort((a, b) => b.length - a.length);
const apiStages = [["authenticate", "authn"], ["authorize", "authz"], ["admit", "admission"], ["validate", "validation"]];
const schedStages = ["watch", "filter", "score", "bind"];

export interface DiagramContext {
  lang: Lang;
  selected?: string; // a part or an object key
  stopped: Set<string>; // components not running
  paused: Set<string>; // components the pacer holds
  waiting: Set<string>; // components with a held step
  members?: readonly ComponentStatus[]; // etcd's members, when it runs several
}

/** nodeBoxes lays the nodes out in the right column. */
export function layout(nodes: readonly string[]): Record<string, Box> {
  const boxes: Record<string, Box> = { ...fixed };
  const n = Math.max(nodes.length, 1);
  const gap = 10, top = 8, height = 584;
  const h = Math.min(190, (height - gap * (n - 1)) / n);
  nodes.forEach((name, i) => { boxes["kubelet/" + name] = { x: 700, y: top + i * (h + gap), w: 288, h }; });
  return boxes;
}

/** anchor returns where a line from box a towards box b leaves a. */
function anchor(a: Box, b: Box): [number, number] {
  const ax = a.x + a.w / 2, ay = a.y + a.h / 2, bx = b.x + b.w / 2, by = b.y + b.h / 2;
  const dx = bx - ax, dy = by - ay;
  if (dx === 0 && dy === 0) return [ax, ay];
  const t = Math.min(dx ? a.w / 2 / Math.abs(dx) : Infinity, dy ? a.h / 2 / Math.abs(dy) : Infinity);
  return [ax + dx * t, ay + dy * t];
}

export function routeLine(boxes: Record<string, Box>, from: string, to: string): [number, number, number, number] | undefined {
  const a = boxes[from], b = boxes[to];
  if (!a || !b || from === to) return undefined;
  const [x1, y1] = anchor(a, b), [x2, y2] = anchor(b, a);
  return [x1, y1, x2, y2];
}

function controllerOf(st: ModelState): string {
  const s = st.current;
  if (!s || s.component !== "controller-manager") return "";
  const c = (s.detail as { controller?: string } | undefined)?.controller ?? s.message?.args?.controller ?? "";
  const flat = c.replace(/-controller$/, "").replace(/-/g, "");
  return controllerChips.find((x) => flat.startsWith(x)) ?? otherControllers.find((x) => flat.startsWith(x)) ?? "";
}

function chip(x: number, y: number, w: number, label: string, cls: string, extra = ""): string {
  return `<g class="chip ${cls}" ${extra}><rect x="${x}" y="${y}" width="${w}" height="22" rx="11"/>` +
    `<text x="${x + w / 2}" y="${y + 15}" text-anchor="middle">${esc(label)}</text></g>`;
}

function partAttrs(part: string, label: string, ctx: DiagramContext, st: ModelState): string {
  const cls = ["part"];
  if (st.current?.component === part || (part === "apiserver" && st.current?.component === "apiserver")) cls.push("active");
  if (st.route && (st.route.from === part || st.route.to === part)) cls.push("touched");
  if (st.current && st.current.component === part && st.current.outcome !== "ok") cls.push("outcome-" + st.current.outcome);
  if (ctx.selected === part) cls.push("selected");
  if (ctx.stopped.has(part)) cls.push("stopped");
  if (ctx.paused.has(part)) cls.push("paused");
  if (ctx.waiting.has(part)) cls.push("waiting");
  // A group, not a button: a part holds controls of its own (a node's pods,
  // etcd's members), and a button may hold none. It is still focusable, and
  // Enter or Space selects it as a click does.
  return `class="${cls.join(" ")}" data-part="${esc(part)}" tabindex="0" role="group" aria-label="${esc(label)}"`;
}

function box(b: Box, cls = "box", rx = 10): string {
  return `<rect class="${cls}" x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="${rx}"/>`;
}

function title(b: Box, text: string, sub = ""): string {
  return `<text class="title" x="${b.x + 12}" y="${b.y + 22}">${esc(text)}</text>` +
    (sub ? `<text class="sub" x="${b.x + b.w - 10}" y="${b.y + 22}" text-anchor="end">${esc(sub)}</text>` : "");
}

/** middle shortens a name in its middle, keeping the owner's name at the
 * front and the pod's own suffix at the end. */
/** nameFor is a control's accessible name: what it shows, in the order it
 * shows it (someone who speaks to their computer says what they see), and
 * the whole name in parentheses when the shown one is cut to fit. The names'
 * texts end in a space (which SVG does not draw) so the text beside them
 * reads as another word. */
function nameFor(shown: string, full: string, note: string | undefined): string {
  return shown + (note ? " " + note : "") + (shown !== full ? ` (${full})` : "");
}

/** columns is how many Latin characters' width s takes: a CJK character
 * ("就緒") is about two. */
function columns(s: string): number {
  let n = 0;
  for (const ch of s) n += ch.codePointAt(0)! >= 0x2e80 ? 2 : 1;
  return n;
}

function middle(name: string, max: number): string {
  if (name.length <= max) return name;
  const head = Math.ceil((max - 1) / 2);
  return name.slice(0, head) + "…" + name.slice(name.length - (max - 1 - head));
}

// charWidth is the objects box's average character width, in SVG units.
const charWidth = 6.1;


/** renderDiagram returns the SVG markup of the whole diagram for a state. */
export function renderDiagram(st: ModelState, ctx: DiagramContext): string {
  const L = ctx.lang;
  const boxes = layout(st.nodes.length ? st.nodes : []);
  const cur = st.current;
  const out: string[] = [];
  out.push(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>`);
  out.push(`<rect class="frame" x="${frame.x}" y="${frame.y}" width="${frame.w}" height="${frame.h}" rx="14"/>`);
  out.push(`<text class="frame-title" x="${frame.x + 14}" y="${frame.y + 22}">${esc(pick(parts.controlPlane, L))}</text>`);

  // You / kubectl
  const k = boxes.kubectl;
  out.push(`<g ${partAttrs("kubectl", pick(parts.kubectl, L), ctx, st)}>${box(k)}` +
    `<text class="icon" x="${k.x + k.w / 2}" y="${k.y + 50}" text-anchor="middle">$_</text>` +
    `<text class="title" x="${k.x + k.w / 2}" y="${k.y + 80}" text-anchor="middle">${esc(pick(parts.kubectl, L))}</text></g>`);

  // Controller manager with its controllers
  const cm = boxes["controller-manager"];
  const activeCtl = controllerOf(st);
  let chips = "";
  // Seven controllers every lesson meets keep a chip of their own; the
  // eighth chip is whichever other controller acts now (a Job's, a
  // CronJob's, …), or says how many others run when none does.
  const other = activeCtl && !controllerChips.includes(activeCtl) ? activeCtl : "";
  [...controllerChips, other].forEach((c, i) => {
    const col = i % 2, row = Math.floor(i / 2);
    const label = c ? controllerName(c, L) : tr("moreControllers", L, { n: String(otherControllers.length) });
    chips += chip(cm.x + 12 + col * 126, cm.y + 34 + row * 27, 118, label, c === activeCtl && c ? "active" : c ? "" : "more");
  });
  out.push(`<g ${partAttrs("controller-manager", pick(parts["controller-manager"], L), ctx, st)}>${box(cm)}${title(cm, pick(parts["controller-manager"], L), status(ctx, "controller-manager", L))}${chips}</g>`);

  // Scheduler with its cycle
  const sc = boxes.scheduler;
  let sch = "";
  schedStages.forEach((s, i) => {
    const on = cur?.component === "scheduler" && cur.stage === s;
    sch += chip(sc.x + 14, sc.y + 34 + i * 27, sc.w - 28, s === "watch" ? tr("queue", L) : pick(stages[s], L), on ? "active" : "");
  });
  out.push(`<g ${partAttrs("scheduler", pick(parts.scheduler, L), ctx, st)}>${box(sc)}${title(sc, pick(parts.scheduler, L), status(ctx, "scheduler", L))}${sch}</g>`);

  // API server and its request chain
  const a = boxes.apiserver;
  let chain = "";
  const cw = (a.w - 24 - 3 * 22) / 4;
  apiStages.forEach(([stage, label], i) => {
    const x = a.x + 12 + i * (cw + 22);
    const on = cur?.component === "apiserver" && cur.stage === stage;
    const bad = on && cur!.outcome !== "ok";
    chain += chip(x, a.y + 52, cw, pick(parts[label], L), on ? (bad ? "active bad" : "active") : "", `data-stage="${stage}"`);
    if (i < 3) chain += `<text class="chain-arrow" x="${x + cw + 11}" y="${a.y + 68}" text-anchor="middle">→</text>`;
  });
  const inStage = cur?.component === "apiserver" ? pick(stages[cur.stage], L) : "";
  chain += `<text class="sub" x="${a.x + 12}" y="${a.y + 106}">${esc(tr("requestChain", L, { authn: pick(parts.authn, L), respond: pick(stages.respond, L) }))}</text>`;
  if (inStage) chain += `<text class="now" x="${a.x + a.w - 12}" y="${a.y + 106}" text-anchor="end">${esc(inStage)}</text>`;
  out.push(`<g ${partAttrs("apiserver", pick(parts.apiserver, L), ctx, st)}>${box(a)}${title(a, pick(parts.apiserver, L))}${chain}</g>`);

  // etcd: a cylinder with the revision and the last key written, or with
  // several members, one row per member with its Raft role and term
  const e = boxes.etcd;
  const lastWrite = cur?.stage === "store" ? (cur.detail as { key?: string } | undefined)?.key ?? "" : "";
  const members = ctx.members ?? [];
  out.push(`<g ${partAttrs("etcd", "etcd", ctx, st)}>` +
    `<path class="box" d="M${e.x},${e.y + 18} a${e.w / 2},16 0 0,1 ${e.w},0 v${e.h - 36} a${e.w / 2},16 0 0,1 -${e.w},0 z"/>` +
    `<ellipse class="box-top" cx="${e.x + e.w / 2}" cy="${e.y + 18}" rx="${e.w / 2}" ry="16"/>` +
    (members.length ? renderMembers(e, members, st, ctx) :
      `<text class="title" x="${e.x + e.w / 2}" y="${e.y + 62}" text-anchor="middle">etcd</text>` +
      `<text class="big" x="${e.x + e.w / 2}" y="${e.y + 104}" text-anchor="middle">${esc(tr("revision", L))} ${st.revision}</text>` +
      `<text class="sub" x="${e.x + e.w / 2}" y="${e.y + 130}" text-anchor="middle">${esc(tr("keysWritten", L, { n: String(Object.keys(st.etcd).length) }))}</text>` +
      (lastWrite ? `<text class="now" x="${e.x + e.w / 2}" y="${e.y + 156}" text-anchor="middle">${esc(shortKey(lastWrite))}</text>` : "")) +
    `</g>`);

  // Objects: the ownership tree
  out.push(renderObjects(st, boxes.objects, ctx));

  // Nodes with kubelets and pods
  if (st.nodes.length === 0) {
    out.push(`<text class="sub" x="844" y="300" text-anchor="middle">${esc(tr("noNodes", L))}</text>`);
  }
  for (const n of st.nodes) out.push(renderNode(st, n, boxes["kubelet/" + n], ctx));

  // The current step's message
  if (st.route && cur) {
    const line = routeLine(boxes, st.route.from, st.route.to);
    if (line) {
      const [x1, y1, x2, y2] = line;
      out.push(`<line class="route outcome-${esc(cur.outcome)}" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" marker-end="url(#arrow)"/>`);
    }
  }
  return out.join("");
}

/** renderMembers draws etcd's members inside its cylinder: each a button
 * (data-part etcd-N) showing its role (★ leads, ? has no leader, ✕ stopped),
 * Raft term and applied index. */
function renderMembers(e: Box, members: readonly ComponentStatus[], st: ModelState, ctx: DiagramContext): string {
  const L = ctx.lang;
  const leader = members.find((m) => m.running && m.role === "leader");
  let out = `<text class="title" x="${e.x + e.w / 2}" y="${e.y + 48}" text-anchor="middle">etcd · ${esc(tr("revision", L))} ${st.revision}</text>` +
    `<text class="sub" x="${e.x + e.w / 2}" y="${e.y + 66}" text-anchor="middle">${esc(leader ? `${tr("leader", L)} ${leader.name} · ${tr("term", L)} ${leader.term ?? ""}` : tr("candidate", L))}</text>`;
  members.forEach((m, i) => {
    const y = e.y + 76 + i * 24;
    const mark = !m.running ? "✕" : m.role === "leader" ? "★" : m.role === "candidate" ? "?" : "·";
    const label = m.running && m.term ? `${mark} ${m.name}  t${m.term} #${m.appliedIndex ?? 0}` : `${mark} ${m.name}`;
    const cls = !m.running ? "off" : m.role === "leader" ? "active leader" : m.role === "candidate" ? "bad" : "";
    const sel = ctx.selected === m.name ? " selected" : "";
    out += `<g class="member${sel}" data-part="${esc(m.name)}" data-role="${esc(m.running ? m.role ?? "" : "stopped")}" data-term="${m.term ?? 0}" tabindex="0" role="button" aria-label="${esc(`${m.name} ${m.running ? tr(m.role ?? "candidate", L) : tr("stopped", L)}`)}">` +
      chip(e.x + 14, y, e.w - 28, label, cls) + `</g>`;
  });
  return out;
}

function status(ctx: DiagramContext, part: string, L: Lang): string {
  if (ctx.stopped.has(part)) return tr("stopped", L);
  if (ctx.paused.has(part)) return tr("paused", L);
  if (ctx.waiting.has(part)) return tr("waiting", L);
  return "";
}

function shortKey(k: string): string {
  const i = k.indexOf("/registry/");
  const s = i >= 0 ? k.slice(i) : k;
  return s.length > 22 ? "…" + s.slice(-21) : s; // what fits the cylinder at 12 px
}

// A ReplicaSet with more pods than podRowsShown shows that many (the ones
// not running first) and one line that counts the rest by phase.
const podRowsShown = 3;

type ObjectRow = { depth: number; n: TreeNode } | { depth: number; rest: ClusterObject[] };

/** objectRows lays the ownership tree out a row each, folding long lists of
 * pods into a count so a Deployment of 50 still shows its owners. */
function objectRows(st: ModelState): ObjectRow[] {
  const rows: ObjectRow[] = [];
  const walk = (ns: TreeNode[], d: number) => {
    const pods = ns.filter((n) => n.object.kind === "Pod");
    if (pods.length > podRowsShown + 1) {
      const waitingFirst = [...pods].sort((a, b) => Number(a.object.phase === "Running") - Number(b.object.phase === "Running"));
      const shown = new Set(waitingFirst.slice(0, podRowsShown));
      ns = ns.filter((n) => n.object.kind !== "Pod" || shown.has(n));
      ns.forEach((n) => { rows.push({ depth: d, n }); walk(n.children, d + 1); });
      rows.push({ depth: d, rest: waitingFirst.slice(podRowsShown).map((n) => n.object) });
      return;
    }
    ns.forEach((n) => { rows.push({ depth: d, n }); walk(n.children, d + 1); });
  };
  walk(ownershipTree(st), 0);
  return rows;
}

function renderObjects(st: ModelState, b: Box, ctx: DiagramContext): string {
  const L = ctx.lang;
  const rows = objectRows(st);
  const max = Math.floor((b.h - 40) / 22);
  let body = "";
  rows.slice(0, max).forEach((row, i) => {
    const y = b.y + 34 + i * 22;
    const x = b.x + 10 + row.depth * 16;
    const line = row.depth ? `<path class="tree-line" d="M${x - 9},${y - 8} V${y + 8} H${x - 2}"/>` : "";
    if ("rest" in row) {
      const by = new Map<string, number>();
      for (const o of row.rest) by.set(o.phase ?? "Pending", (by.get(o.phase ?? "Pending") ?? 0) + 1);
      const counts = [...by].map(([phase, n]) => `${n} ${stateName(phase, L)}`).join(" · ");
      body += `<g class="obj-rest">${line}<text class="sub" x="${x}" y="${y + 12}">${esc(tr("morePods", L, { n: String(row.rest.length), counts }))}</text></g>`;
      return;
    }
    const o = row.n.object;
    const sel = ctx.selected === o.key ? " selected" : "";
    const justWritten = st.current?.stage === "store" && st.current.seq === o.lastSeq ? " flash" : "";
    const right = b.x + b.w - 16;
    let extra = "";
    if (o.kind === "Pod") {
      extra = `<circle class="phase phase-${esc(o.phase)}" cx="${right}" cy="${y + 8}" r="6"><title>${esc(stateName(o.phase ?? "", L) + (o.reason ? `: ${o.reason}` : ""))}</title></circle>`;
      if (o.reason) extra += `<text class="reason" x="${right - 10}" y="${y + 12}" text-anchor="end">${esc(o.reason)}</text>`;
    } else if (o.replicas) {
      const { ready, desired } = o.replicas;
      extra = `<text class="replicas${ready < desired ? " short" : ""}" x="${right + 6}" y="${y + 12}" text-anchor="end">${esc(tr("readyOf", L, { ready: String(ready), desired: String(desired) }))}</text>`;
    }
    // The name gets the room the kind and the right-hand note leave it.
    const note = o.reason ?? (o.replicas ? tr("readyOf", L, { ready: String(o.replicas.ready), desired: String(o.replicas.desired) }) : "");
    const room = Math.floor((right - 14 - x) / charWidth) - Math.ceil(o.kind.length * 1.2) - 1 - (note ? columns(note) + 4 : 0); // the kind is bold; the note is drawn a little larger
    const shown = middle(o.name, Math.max(8, Math.min(22, room)));
    body += `<g class="obj${sel}${justWritten}" data-object="${esc(o.key)}" tabindex="0" role="button" aria-label="${esc(nameFor(o.kind + " " + shown, o.kind + " " + o.name, note))}">` + line +
      `<rect class="obj-bg" x="${x - 4}" y="${y - 4}" width="${b.x + b.w - x - 4}" height="20" rx="4"/>` +
      `<text x="${x}" y="${y + 12}"><tspan class="kind">${esc(o.kind)}</tspan> ${esc(shown)} </text>${extra}</g>`;
  });
  if (rows.length > max) body += `<text class="sub" x="${b.x + 10}" y="${b.y + b.h - 8}">+${rows.length - max}</text>`;
  if (rows.length === 0) body += `<text class="sub" x="${b.x + b.w / 2}" y="${b.y + b.h / 2}" text-anchor="middle">${esc(tr("noObjects", L))}</text>`;
  return `<g class="objects">${box(b, "box soft")}${title(b, pick(parts.objects, L))}${body}</g>`;
}

function renderNode(st: ModelState, name: string, b: Box, ctx: DiagramContext): string {
  const L = ctx.lang;
  const part = "kubelet/" + name;
  const node = Object.values(st.objects).find((o) => o.kind === "Node" && o.name === name && !o.deleted);
  const flags: string[] = [];
  if (node) flags.push(stateName(node.ready ? "Ready" : "NotReady", L));
  if (node?.unschedulable) flags.push(stateName("SchedulingDisabled", L));
  const kubeletOn = st.current?.component === part;
  const stop = ctx.stopped.has(part);
  let pods = "";
  const list = podsOn(st, name);
  const perRow = 1, pw = b.w - 24, rowsFit = Math.max(1, Math.floor((b.h - 62) / 24));
  list.slice(0, perRow * rowsFit).forEach((p, i) => {
    const x = b.x + 12 + (i % perRow) * (pw + 6), y = b.y + 58 + Math.floor(i / perRow) * 24;
    const sel = ctx.selected === p.key ? " selected" : "";
    const shown = middle(p.name, 23);
    pods += `<g class="pod phase-${esc(p.phase)}${sel}" data-object="${esc(p.key)}" tabindex="0" role="button" aria-label="${esc(nameFor(shown, p.name, stateName(p.phase ?? "", L)))}">` +
      `<rect x="${x}" y="${y}" width="${pw}" height="20" rx="5"/><text x="${x + 6}" y="${y + 14}">${esc(shown)} </text>` +
      `<text class="pod-phase" x="${x + pw - 5}" y="${y + 14}" text-anchor="end">${esc(stateName(p.phase ?? "", L))}</text></g>`;
  });
  if (list.length > perRow * rowsFit) pods += `<text class="sub" x="${b.x + b.w - 12}" y="${b.y + b.h - 6}" text-anchor="end">+${list.length - perRow * rowsFit}</text>`;
  return `<g ${partAttrs(part, `${pick(parts.node, L)} ${name}`, ctx, st)}>${box(b, "box node")}` +
    `<text class="title" x="${b.x + 12}" y="${b.y + 22}">${esc(pick(parts.node, L))} ${esc(name)}</text>` +
    `<text class="sub${node && !node.ready ? " bad" : ""}" x="${b.x + b.w - 10}" y="${b.y + 22}" text-anchor="end">${esc(flags.join(L === "zh-TW" ? "、" : ", "))}</text>` +
    chip(b.x + 12, b.y + 30, 110, stop ? `kubelet ✕` : "kubelet", kubeletOn ? "active" : stop ? "off" : "") +
    (kubeletOn && st.current ? `<text class="now" x="${b.x + 132}" y="${b.y + 46}">${esc(pick(stages[st.current.stage], L))}</text>` : "") +
    pods + `</g>`;
}

/** Animator moves a dot along the current step's message. */
export class Animator {
  private frame = 0;
  constructor(private readonly dot: SVGCircleElement) {}

  run(line: [number, number, number, number] | undefined, ms: number): void {
    cancelAnimationFrame(this.frame);
    if (!line || ms <= 0 || matchMedia("(prefers-reduced-motion: reduce)").matches) {
      this.dot.setAttribute("visibility", "hidden");
      return;
    }
    const [x1, y1, x2, y2] = line;
    const start = performance.now();
    this.dot.setAttribute("visibility", "visible");
    const tick = (now: number) => {
      const t = Math.min(1, (now - start) / ms);
      const e = t < 0.5 ? 2 * t * t : 1 - Math.pow(-2 * t + 2, 2) / 2;
      this.dot.setAttribute("cx", String(x1 + (x2 - x1) * e));
      this.dot.setAttribute("cy", String(y1 + (y2 - y1) * e));
      if (t < 1) this.frame = requestAnimationFrame(tick);
      else this.dot.setAttribute("visibility", "hidden");
    };
    this.frame = requestAnimationFrame(tick);
  }
}
