// The swimlane of one trace: a lane per component the trace touched, and
// its beats drawn in time order as arrows between lanes, the way a tracing
// UI or a sequence diagram tells one request's journey. This module only
// computes where things go; view/swimlane.ts draws it.
//
// Lanes are derived from the beats and their steps: every component any
// step of the trace belongs to (etcd included), and kubectl when a person
// made a request. They stand in the order the seed article tells the
// story: kubectl, API server, etcd, controller manager, scheduler, then the
// kubelets by node. A beat's arrows run from the lane that acted (kubectl
// for a person's request, else the beat's component) through each other
// lane its steps touched, in the order they touched it.

import { Step } from "./step.js";
import { Beat } from "./story.js";

export interface Lane { id: string; x: number }
export interface Arrow { from: string; to: string; x1: number; x2: number; y: number }
export interface Row { beat: Beat; n: number; y: number; actor: string; x: number; arrows: Arrow[] }
export interface SwimlaneLayout { width: number; height: number; top: number; lanes: Lane[]; rows: Row[] }

const order = ["kubectl", "apiserver", "etcd", "controller-manager", "scheduler"];

/** laneRank sorts lanes: the known parts in the story's order, then the
 * kubelets by node name, then anything else by name. */
function laneRank(a: string, b: string): number {
  const ra = order.indexOf(a), rb = order.indexOf(b);
  const ka = ra >= 0 ? ra : a.startsWith("kubelet/") ? order.length : order.length + 1;
  const kb = rb >= 0 ? rb : b.startsWith("kubelet/") ? order.length : order.length + 1;
  return ka - kb || a.localeCompare(b, "en", { numeric: true });
}

/** callerLane is the lane of the one who made a request: kubectl for a
 * person, the component whose identity it carries for the control plane. */
export function callerLane(user: string | undefined, fallback: string): string {
  if (!user) return fallback;
  if (user === "system:kube-controller-manager" || user.startsWith("system:serviceaccount:kube-system:")) return "controller-manager";
  if (user === "system:kube-scheduler") return "scheduler";
  if (user.startsWith("system:node:")) return "kubelet/" + user.slice("system:node:".length);
  if (user.startsWith("system:")) return fallback;
  return "kubectl";
}

/** actorOf is the lane a beat starts in. */
export function actorOf(beat: Beat): string {
  if (beat.kind === "request") return callerLane(beat.headline?.args?.user, beat.component);
  return beat.component;
}

/** touched lists the lanes a beat's steps touched, the actor first, then in
 * the order of their first step. */
export function touched(beat: Beat, bySeq: ReadonlyMap<number, Step>): string[] {
  const out = [actorOf(beat)];
  for (const seq of beat.steps) {
    const c = bySeq.get(seq)?.component;
    if (c && !out.includes(c)) out.push(c);
  }
  return out;
}

/** lanes lists every lane the trace's beats touched, in the story's order. */
export function lanes(beats: readonly Beat[], stepList: readonly Step[]): string[] {
  const bySeq = new Map(stepList.map((s) => [s.seq, s]));
  const set = new Set<string>();
  for (const b of beats) for (const l of touched(b, bySeq)) set.add(l);
  return [...set].sort(laneRank);
}

export interface LayoutOptions { width: number; top: number; rowHeight: number; margin: number }
const defaults: LayoutOptions = { width: 400, top: 32, rowHeight: 30, margin: 6 };

/** layoutSwimlane places the lanes of all the trace's beats across and the
 * shown beats (numbered n, 0 for background) down, one row each. */
export function layoutSwimlane(all: readonly Beat[], shown: readonly { beat: Beat; n: number }[], stepList: readonly Step[],
  opts: Partial<LayoutOptions> = {}): SwimlaneLayout {
  const o = { ...defaults, ...opts };
  const ids = lanes(all, stepList);
  const bySeq = new Map(stepList.map((s) => [s.seq, s]));
  const laneW = (o.width - 2 * o.margin) / Math.max(1, ids.length);
  const xOf = new Map(ids.map((id, i) => [id, o.margin + laneW * (i + 0.5)]));
  const rows: Row[] = shown.map(({ beat, n }, i) => {
    const y = o.top + o.rowHeight * i + 12;
    const chain = touched(beat, bySeq).filter((l) => xOf.has(l));
    const arrows: Arrow[] = [];
    for (let j = 1; j < chain.length; j++) {
      arrows.push({ from: chain[j - 1], to: chain[j], x1: xOf.get(chain[j - 1])!, x2: xOf.get(chain[j])!, y: y + 5 * (j - 1) });
    }
    const actor = chain[0] ?? beat.component;
    return { beat, n, y, actor, x: xOf.get(actor) ?? o.margin, arrows };
  });
  return {
    width: o.width, top: o.top, height: o.top + o.rowHeight * Math.max(1, rows.length) + 8,
    lanes: ids.map((id) => ({ id, x: xOf.get(id)! })), rows,
  };
}
