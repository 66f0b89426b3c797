// The narrator turns a step into sentences in the learner's language: what
// happened (the message, from the catalogue), why that stage exists, and what
// usually comes next. A key the catalogue lacks never shows raw: a sentence
// for the step's stage is built from its component, object and arguments.

import { Step } from "../model/step.js";
import { Route } from "../model/route.js";
import { Beat, headlineText } from "../model/story.js";
import type { CheckNote } from "../model/lessons.js";
import { checks, controllers, decisions, events, fallbacks, kinds, Lang, messages, next, parts, stages, states, Text, ui, why } from "./catalog.js";

export interface Narration {
  what: string;
  why: string;
  next: string;
}

export function pick(text: Text | undefined, lang: Lang): string {
  if (!text) return "";
  return lang === "zh-TW" ? text.zh : text.en;
}

/** fill replaces {name} with args[name]; unknown names are left out. A
 * space the template keeps before a Latin name goes when the name given is
 * Chinese ("{controller} 比較" with 節點控制器). */
export function fill(template: string, args: Record<string, string | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => args[k] ?? "").replace(/\s+([.,:;。，：])/g, "$1")
    .replace(/(\p{Script=Han}) +(?=\p{Script=Han})/gu, "$1").trim();
}

/** tr returns a user-interface string. */
export function tr(key: string, lang: Lang, args: Record<string, string> = {}): string {
  const text = ui[key];
  return text ? fill(pick(text, lang), args) : key;
}

/** gap is what goes between two sentences: a space in English, nothing after a full stop 。. */
export function gap(lang: Lang): string {
  return lang === "zh-TW" ? "" : " ";
}

/** colon ends a label before what it labels ("Read the code: …", 「閱讀程式碼：…」). */
export function colon(lang: Lang): string {
  return lang === "zh-TW" ? "：" : ": ";
}

/** stageName names a stage in the learner's language ("store" → 儲存). */
export function stageName(stage: string, lang: Lang): string {
  return pick(stages[stage], lang) || stage;
}

/** stateName says a Kubernetes status word (Running, Ready, allowed) in the learner's language. */
export function stateName(state: string, lang: Lang): string {
  return pick(states[state], lang) || state;
}

/** controllerName names a controller's chip ("replicaset" → ReplicaSet). */
export function controllerName(c: string, lang: Lang): string {
  return pick(controllers[c], lang) || c;
}

// decisionPatterns turn each English decision into a regular expression
// whose groups are its placeholders.
const decisionPatterns = Object.values(decisions).map((text) => {
  const names: string[] = [];
  const source = text.en.split(/\{(\w+)\}/).map((part, i) => {
    if (i % 2 === 0) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
    names.push(part);
    return "(.+?)";
  }).join("");
  return { text, names, re: new RegExp(`^${source}$`) };
});

/** decisionText says a controller's decision in the learner's language. */
export function decisionText(decision: string, lang: Lang): string {
  if (lang === "en") return decision;
  for (const p of decisionPatterns) {
    const m = p.re.exec(decision);
    if (m) return fill(pick(p.text, lang), Object.fromEntries(p.names.map((n, i) => [n, m[i + 1]])));
  }
  return decision;
}

/** checkText says what a lesson's check found in the learner's language
 * ("" for a note the catalogue does not know: the panel then shows the
 * server's English). Stages, outcomes and pacer modes are translated too. */
export function checkText(n: CheckNote | undefined, lang: Lang): string {
  if (!n?.key || !checks[n.key]) return "";
  if (n.key === "check.all" || n.key === "check.any") {
    const parts = (n.parts ?? []).map((p) => checkText(p, lang));
    return parts.length && parts.every(Boolean) ? parts.join(pick(checks[n.key], lang)) : "";
  }
  const a: Record<string, string> = { ...(n.args ?? {}) };
  if (a.stage) a.stage = stageName(a.stage, lang);
  if (a.outcome) a.outcome = stateName(a.outcome, lang);
  const mode = a.mode ? "mode" + a.mode[0].toUpperCase() + a.mode.slice(1) : "";
  if (ui[mode]) a.mode = tr(mode, lang);
  if (n.key === "check.not") {
    a.part = checkText(n.parts?.[0], lang);
    if (!a.part) return "";
  }
  let s = fill(pick(checks[n.key], lang), a).replace(/\(\)|（）|「」/g, "").replace(/ {2,}/g, " ");
  // A list of objects that falls short says the first that does not match, and why.
  if (n.key.startsWith("check.objects") && n.parts?.length === 2) {
    const why = fill(pick(checks["check.objectNot"], lang), { ...n.parts[0].args, reason: checkText(n.parts[1], lang) });
    s += lang === "zh-TW" ? `（${why}）` : ` (${why})`;
  }
  return s;
}

/** controllerTitle names a controller from its name in the steps
 * ("replicaset-controller" → "ReplicaSet 控制器"); English keeps the name. */
export function controllerTitle(name: string, lang: Lang): string {
  if (lang === "en") return name;
  const flat = name.replace(/-controller$/, "").replace(/-/g, "");
  const chip = Object.keys(controllers).find((c) => flat.startsWith(c));
  if (!chip) return name;
  const word = controllerName(chip, lang);
  return word + (/\p{Script=Han}$/u.test(word) ? "" : " ") + pick(parts.controller, lang);
}

/** partName names a part of the diagram ("kubelet/node-1" → "kubelet on node-1"). */
export function partName(part: string, lang: Lang): string {
  if (part.startsWith("kubelet/")) {
    const node = part.slice(8);
    return tr("kubeletOn", lang, { node });
  }
  const p = parts[part];
  if (!p) return part;
  if (lang === "en" && part !== "kubectl" && part !== "etcd") return "the " + pick(p, lang);
  return pick(p, lang);
}

export function kindName(kind: string, lang: Lang): string {
  return pick(kinds[kind], lang) || kind;
}

function capitalise(s: string): string {
  if (s.startsWith("etcd") || s.startsWith("kubectl") || s.startsWith("kubelet")) return s; // names keep their case
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** objectName names a step's object ("Deployment helloworld"). */
export function objectName(s: Step, lang: Lang): string {
  const o = s.object ?? {};
  const kind = o.kind ? kindName(o.kind, lang) : "";
  const name = o.name ? (o.namespace ? `${o.namespace}/${o.name}` : o.name) : "";
  return [kind, name].filter(Boolean).join(" ") || tr("someObject", lang);
}

/** narrate explains one step. */
export function narrate(s: Step, route: Route | null, lang: Lang): Narration {
  const args: Record<string, string> = { ...(s.message?.args ?? {}) };
  args.component = partName(s.component, lang);
  args.stage ??= pick(stages[s.stage], lang) || s.stage;
  if (args.stage && stages[args.stage]) args.stage = pick(stages[args.stage], lang);
  args.kind ??= s.object?.kind ? kindName(s.object.kind, lang) : "";
  args.name ??= s.object?.name ?? "";
  args.object = objectName(s, lang);
  args.caller = partName(route?.from ?? "kubectl", lang);
  if (args.event) args.event = eventWord(args.event, lang);
  if (args.decision) args.decision = decisionText(args.decision, lang);
  if (args.controller) args.controller = controllerTitle(args.controller, lang);
  const known = messages[s.message?.key ?? ""];
  const template = pick(known ?? fallbacks[s.stage] ?? fallbacks[""], lang);
  let what = fill(template, args);
  if (lang === "en") what = capitalise(what);
  // A held step whose component has no sentence of its own for waiting still says how to go on.
  if (s.outcome === "waiting" && !(s.message?.key ?? "").endsWith(".wait")) what += gap(lang) + pick(ui.heldPressNext, lang);
  return { what, why: pick(why[s.stage], lang), next: s.outcome === "ok" ? pick(next[s.stage], lang) : "" };
}

function eventWord(event: string, lang: Lang): string {
  return pick(events[event], lang) || event;
}

/** beatSentence says a beat's headline in the learner's language, with the
 * real values its steps carried. */
export function beatSentence(beat: Beat, lang: Lang): string {
  const { key, args } = headlineText(beat);
  const o = beat.object ?? {};
  const kind = o.kind ? kindName(o.kind, lang) : "";
  const named = o.name ? (o.namespace ? `${o.namespace}/${o.name}` : o.name) : "";
  const a: Record<string, string> = { ...args };
  a.object = key.startsWith("beat.schedule") || key.startsWith("beat.kubelet") ? named : [kind, named].filter(Boolean).join(" ");
  a.what = named ? a.object : (args.resource ?? a.object);
  a.component = partName(beat.component, lang);
  if (a.user === undefined) a.user = tr("someone", lang);
  if (a.decision) a.decision = decisionText(a.decision, lang);
  if (a.controller) a.controller = controllerTitle(a.controller, lang);
  let s = fill(pick(messages[key] ?? messages["beat.other"], lang), a);
  if (lang === "en" && !key.startsWith("beat.request")) s = capitalise(s); // a user's name keeps its case
  return s;
}
