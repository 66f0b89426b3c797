// The inspector explains what the learner clicked: the current step's detail
// (authorization decision, admission patch, the scheduler's filter and score
// table, the etcd write), an object as etcd stored it at this step with the
// diff from its previous version and its events, or a part of the cluster
// with what the learner can do to it (pause, break, stop, cordon).

import { ModelState, ClusterObject } from "../model/cluster.js";
import type { ComponentStatus } from "../api/client.js";
import { Step } from "../model/step.js";
import { versionsOf } from "../model/tree.js";
import { diffLines, prettyValue, toYAML } from "../model/yaml.js";
import { FieldOwner, fieldOwners, withoutManagedFields } from "../model/fields.js";
import { Lang, stages } from "../i18n/catalog.js";
import { partName, pick, stageName, stateName, tr } from "../i18n/narrate.js";
import { h } from "./dom.js";

export interface PartActions {
  paused: boolean;
  running: boolean;
  breakpoints: string[]; // stages with a breakpoint on this component
  unschedulable?: boolean;
  member?: ComponentStatus; // an etcd member, with its Raft role and term
  togglePause(): void;
  toggleRunning(): void;
  toggleBreakpoint(stage: string): void;
  cordon(on: boolean): void;
}

function pre(text: string, cls = "code"): HTMLElement {
  return h("pre", { class: cls, tabindex: "0" }, text);
}

function kv(rows: [string, string | undefined][]): HTMLElement {
  const dl = h("dl", { class: "kv" });
  for (const [k, v] of rows) if (v !== undefined && v !== "") dl.append(h("dt", {}, k), h("dd", {}, v));
  return dl;
}

/** stepDetail shows what a step carries, by stage. */
export function stepDetail(s: Step, lang: Lang): HTMLElement {
  const d = (s.detail ?? {}) as Record<string, unknown>;
  const wrap = h("section", { class: "detail" }, h("h3", {}, tr("detail", lang)));
  const L = lang;
  wrap.append(kv([[tr("fieldSeq", L), String(s.seq)], [tr("fieldTrace", L), s.trace], [tr("fieldComponent", L), s.component],
    [tr("fieldStage", L), L === "en" ? s.stage : stageName(s.stage, L)], [tr("fieldOutcome", L), stateName(s.outcome, L)],
    [tr("fieldObject", L), [s.object?.kind, s.object?.namespace, s.object?.name].filter(Boolean).join(" / ")],
    ["resourceVersion", s.object?.resourceVersion]]));
  switch (s.stage) {
    case "authorize": {
      const dec = (d.decision ?? {}) as Record<string, unknown>;
      wrap.append(kv([[tr("decision", L), stateName(dec.allowed ? "allowed" : "denied", L)], [tr("fieldReason", L), String(dec.reason ?? "")],
        [tr("fieldUser", L), String(d.user ?? "")], [tr("fieldGroups", L), ((d.groups as string[]) ?? []).join(", ")], [tr("fieldVerb", L), String(d.verb ?? "")],
        [tr("fieldResource", L), [d.apiGroup, d.resource, d.subresource].filter(Boolean).join(" ")]]));
      if (dec.binding || dec.rule || dec.role) wrap.append(pre(toYAML({ binding: dec.binding, role: dec.role, rule: dec.rule })));
      break;
    }
    case "authenticate":
      wrap.append(kv([[tr("fieldUser", L), String(d.user ?? "")], [tr("fieldGroups", L), ((d.groups as string[]) ?? []).join(", ")]]));
      if (Array.isArray(d.attempts)) wrap.append(pre(toYAML(d.attempts)));
      break;
    case "admit":
      wrap.append(kv([[tr("fieldPlugin", L), String(d.plugin ?? "")], [tr("error", L), String(d.error ?? "")]]));
      if (Array.isArray(d.patch) && d.patch.length) wrap.append(h("h4", {}, tr("patch", lang)), pre(toYAML(d.patch)));
      break;
    case "validate":
      if (Array.isArray(d.causes) && d.causes.length) wrap.append(h("ul", { class: "causes" }, ...d.causes.map((c) => h("li", {}, typeof c === "string" ? c : JSON.stringify(c)))));
      break;
    case "store":
      wrap.append(kv([[tr("fieldOp", L), String(d.op ?? "")], [tr("fieldKey", L), String(d.key ?? "")], [tr("revision", L), String(d.revision ?? "")]]));
      if (typeof d.value === "string" && d.value) wrap.append(pre(prettyValue(d.value)));
      break;
    case "filter":
      wrap.append(filterTable(d, lang));
      break;
    default:
      if (s.detail !== undefined && s.detail !== null) wrap.append(pre(toYAML(s.detail)));
  }
  return wrap;
}

function filterTable(d: Record<string, unknown>, lang: Lang): HTMLElement {
  // One column per node, one row per plugin: a few nodes fit the panel's width.
  type Row = { name: string; filters?: { plugin: string; status: string; reason?: string }[]; scores?: Record<string, number>; total?: number; feasible?: boolean };
  const nodes = (d.nodes as Row[]) ?? [];
  const plugins = [...new Set(nodes.flatMap((n) => (n.filters ?? []).map((f) => f.plugin)))];
  const scorers = [...new Set(nodes.flatMap((n) => Object.keys(n.scores ?? {})))];
  const table = h("table", { class: "filter" });
  table.append(h("thead", {}, h("tr", {}, h("th", {}, tr("node", lang)),
    ...nodes.map((n) => h("th", { class: n.feasible === false ? "infeasible" : "" }, n.name)))));
  const body = h("tbody");
  for (const p of plugins) {
    const row = h("tr", {}, h("th", { scope: "row" }, p));
    for (const n of nodes) {
      const f = (n.filters ?? []).find((x) => x.plugin === p);
      row.append(h("td", { class: f?.status === "Success" ? "ok" : f ? "bad" : "" }, f ? (f.status === "Success" ? "✓" : `✗ ${f.reason ?? f.status}`) : "—"));
    }
    body.append(row);
  }
  for (const p of scorers) {
    const row = h("tr", { class: "score" }, h("th", { scope: "row" }, tr("scoreOf", lang, { plugin: p })));
    for (const n of nodes) row.append(h("td", {}, n.scores?.[p] === undefined ? "—" : String(n.scores[p])));
    body.append(row);
  }
  body.append(h("tr", { class: "total" }, h("th", { scope: "row" }, tr("total", lang)), ...nodes.map((n) => h("td", {}, n.total === undefined || n.feasible === false ? "—" : String(n.total)))));
  table.append(body);
  return h("div", { class: "table-wrap" }, table);
}

/** objectView shows an object at this step: its YAML, the diff, its events. */
export function objectView(st: ModelState, o: ClusterObject, lang: Lang): HTMLElement {
  const wrap = h("section", { class: "object" },
    h("h3", {}, `${o.kind} ${o.namespace ? o.namespace + "/" : ""}${o.name}`),
    kv([[tr("fieldEtcdKey", lang), o.etcdKey], ["resourceVersion", o.resourceVersion], [tr("fieldUid", lang), o.uid], [tr("node", lang), o.node],
      [tr("fieldPhase", lang), o.phase && stateName(o.phase, lang)], [tr("fieldOwner", lang), o.owners.map((r) => `${r.kind} ${r.name}`).join(", ")],
      ["", o.deleted ? tr("deleted", lang) : undefined]]));
  const versions = versionsOf(st, o).filter((v) => v.op === "put");
  const cur = prettyValue(o.value, withoutManagedFields);
  const prev = versions.length > 1 ? prettyValue(versions[versions.length - 2].value, withoutManagedFields) : "";
  wrap.append(h("h4", {}, tr("diff", lang)));
  if (!prev) wrap.append(h("p", { class: "muted" }, tr("firstVersion", lang)));
  else {
    const lines = diffLines(prev, cur).filter((l, i, all) => l.op !== " " || near(all, i));
    const d = h("pre", { class: "code diff", tabindex: "0" });
    for (const l of lines) d.append(h("span", { class: l.op === "+" ? "add" : l.op === "-" ? "del" : "" }, `${l.op} ${l.text}\n`));
    wrap.append(d);
  }
  wrap.append(h("h4", {}, `YAML (${tr("revision", lang)} ${versions.at(-1)?.revision ?? "?"})`), pre(cur));
  const owners = ownersOf(o.value);
  if (owners.length) wrap.append(fieldOwnersView(owners, lang));
  const events = Object.values(st.objects).filter((e) => e.kind === "Event" && !e.deleted && eventAbout(e, o));
  if (events.length) {
    wrap.append(h("h4", {}, tr("events", lang)));
    const ul = h("ul", { class: "events" });
    for (const e of events) {
      const v = JSON.parse(e.value || "{}") as { type?: string; reason?: string; message?: string };
      ul.append(h("li", { class: v.type === "Warning" ? "bad" : "" }, h("b", {}, `${v.reason ?? ""} `), v.message ?? ""));
    }
    wrap.append(ul);
  }
  return wrap;
}

function ownersOf(json: string | undefined): FieldOwner[] {
  try {
    return fieldOwners(JSON.parse(json || "null"));
  } catch {
    return [];
  }
}

/** fieldOwnersView lists each manager's fields, as managedFields records them. */
function fieldOwnersView(owners: FieldOwner[], lang: Lang): HTMLElement {
  const table = h("table", { class: "owners" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, tr("fieldManager", lang)), h("th", { scope: "col" }, tr("fieldOperation", lang)), h("th", { scope: "col" }, tr("fieldPaths", lang)))));
  const body = h("tbody");
  for (const o of owners) {
    const op = [o.operation, o.apiVersion, o.subresource].filter(Boolean).join(" · ");
    body.append(h("tr", {}, h("th", { scope: "row" }, o.manager), h("td", {}, op), h("td", {}, h("code", {}, o.fields.join("\n")))));
  }
  table.append(body);
  return h("section", { class: "field-owners" }, h("h4", {}, tr("fieldOwners", lang)), h("p", { class: "muted" }, tr("fieldOwnersHint", lang)),
    h("div", { class: "table-wrap" }, table));
}

function near(all: { op: string }[], i: number): boolean {
  for (let j = Math.max(0, i - 2); j <= Math.min(all.length - 1, i + 2); j++) if (all[j].op !== " ") return true;
  return false;
}

function eventAbout(e: ClusterObject, o: ClusterObject): boolean {
  try {
    const v = JSON.parse(e.value) as { involvedObject?: { uid?: string; name?: string; kind?: string }; regarding?: { uid?: string; name?: string; kind?: string } };
    const r = v.involvedObject ?? v.regarding;
    return !!r && (r.uid ? r.uid === o.uid : r.name === o.name && r.kind === o.kind);
  } catch {
    return false;
  }
}

const breakable: Record<string, string[]> = {
  apiserver: ["authorize", "admit", "validate"],
  etcd: ["store"],
  "controller-manager": ["reconcile"],
  scheduler: ["filter", "bind"],
  kubelet: ["pull", "run", "status"],
};

/** partView shows a part of the cluster and what the learner can do to it. */
export function partView(part: string, st: ModelState, lang: Lang, act: PartActions | undefined): HTMLElement {
  const wrap = h("section", { class: "part-view" }, h("h3", {}, partName(part, lang).replace(/^the /, "")));
  const last = st.components[part];
  if (last) wrap.append(kv([[tr("lastStep", lang), `#${last.lastSeq} ${pick(stages[last.stage], lang) || last.stage}${lang === "zh-TW" ? `（${stateName(last.outcome, lang)}）` : ` (${last.outcome})`}`]]));
  if (!act) return wrap;
  const buttons = h("div", { class: "actions" });
  const isKubelet = part.startsWith("kubelet/");
  const m = act.member;
  if (m) {
    wrap.append(kv([
      [tr("role", lang), m.running ? tr(m.role ?? "candidate", lang) : tr("stopped", lang)],
      [tr("term", lang), m.running ? String(m.term ?? "") : ""],
      [tr("appliedIndex", lang), m.running ? String(m.appliedIndex ?? "") : ""],
      [tr("follows", lang), m.running ? m.leader ?? "" : ""],
    ]));
    buttons.append(h("button", { onclick: () => act.toggleRunning() }, tr(m.running ? "stopMember" : "startMember", lang)));
  }
  if (isKubelet) {
    buttons.append(h("button", { onclick: () => act.toggleRunning() }, tr(act.running ? "stopKubelet" : "startKubelet", lang)));
    buttons.append(h("button", { onclick: () => act.cordon(!act.unschedulable) }, tr(act.unschedulable ? "uncordon" : "cordon", lang)));
  }
  if (part === "controller-manager" || part === "scheduler" || isKubelet) {
    buttons.append(h("button", { onclick: () => act.togglePause(), "aria-pressed": String(act.paused) }, tr(act.paused ? "resumeComponent" : "pauseComponent", lang)));
  }
  wrap.append(buttons);
  const bs = breakable[isKubelet ? "kubelet" : part] ?? [];
  if (bs.length) {
    const fs = h("fieldset", { class: "breakpoints" }, h("legend", {}, tr("breakpoint", lang)));
    for (const s of bs) {
      const id = `bp-${part}-${s}`.replace(/[^a-z0-9-]/gi, "-");
      const cb = h("input", { type: "checkbox", id, onchange: () => act.toggleBreakpoint(s) });
      cb.checked = act.breakpoints.includes(s);
      fs.append(h("label", { for: id }, cb, " ", pick(stages[s], lang)));
    }
    wrap.append(fs);
  }
  return wrap;
}
