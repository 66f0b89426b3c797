// The story of one trace, told in beats. A beat is one act of one component
// and the real steps under it (the Go side groups them, in
// controlplane/steps/beat.go, so the browser, the replay, the export and the
// pacer agree). This module decides only what to show of them: the
// foreground beats, numbered, in the order they began; the background
// counted and, one toggle away, shown in place; which steps a follower
// plays; and which catalogue sentence a beat's headline reads as.

import { Message, Step } from "./step.js";

export interface Beat {
  trace: string;
  first: number;
  last: number;
  kind: "request" | "reconcile" | "schedule" | "kubelet" | "other" | string;
  component: string;
  object: { kind?: string; namespace?: string; name?: string };
  background: boolean;
  headline: Message;
  steps: number[];
}

/** TraceDetail is GET /sandboxes/{id}/traces/{trace} (server/traces.go). */
export interface TraceDetail {
  trace: string;
  first: number;
  last: number;
  learners: boolean;
  steps: number;
  beats: number;
  foregroundBeats: number;
  backgroundSteps: number;
  stepList: Step[];
  beatList: Beat[];
}

/** TraceSummary is one line of GET /sandboxes/{id}/traces. */
export interface TraceSummary {
  trace: string;
  first: number;
  last: number;
  learners: boolean;
  request?: Record<string, string>;
  steps: number;
  beats: number;
  foregroundBeats: number;
  backgroundSteps: number;
}

const reads = new Set(["get", "list", "watch"]);

/** pickFollow chooses the trace to follow after a command that began after
 * seq: the first of the learner's traces it began that changes something,
 * else the first it began ("" when none). */
export function pickFollow(list: readonly TraceSummary[], after: number): string {
  const mine = list.filter((t) => t.learners && t.first > after).sort((a, b) => a.first - b.first);
  return (mine.find((t) => !reads.has(t.request?.verb ?? "")) ?? mine[0])?.trace ?? "";
}

/** One line of the story: a beat, numbered when it is foreground. */
export interface StoryItem {
  beat: Beat;
  n: number; // 1… for foreground beats, 0 for background
}

export interface Story {
  items: StoryItem[];
  foreground: number;
  backgroundBeats: number;
  backgroundSteps: number;
}

/** story lists the beats to show, in the order they began: the foreground
 * numbered, the background only when showBackground, in place. */
export function story(beats: readonly Beat[], showBackground: boolean): Story {
  const sorted = [...beats].sort((a, b) => a.first - b.first);
  const out: Story = { items: [], foreground: 0, backgroundBeats: 0, backgroundSteps: 0 };
  for (const beat of sorted) {
    if (beat.background) {
      out.backgroundBeats++;
      out.backgroundSteps += beat.steps.length;
      if (showBackground) out.items.push({ beat, n: 0 });
    } else {
      out.items.push({ beat, n: ++out.foreground });
    }
  }
  return out;
}

/** playable returns the seqs a follower of the trace plays: the steps of its
 * foreground beats. A trace with no foreground (one nobody began) plays
 * whole: undefined. */
export function playable(beats: readonly Beat[]): Set<number> | undefined {
  const fg = beats.filter((b) => !b.background);
  if (fg.length === 0) return undefined;
  return new Set(fg.flatMap((b) => b.steps));
}

/** shouldPlay says whether a follower shows step s: a step of a foreground
 * beat, or one the cluster holds for Next (a held step is what the learner
 * is asked to look at, whatever beat it opens). */
export function shouldPlay(s: Step, plays: ReadonlySet<number>): boolean {
  return s.outcome === "waiting" || plays.has(s.seq);
}

/** staysAt says whether the player, following trace, stays on step cur:
 * the cluster still holds it for Next and holds no later step of the trace.
 * The learner is asked to look at it; the steps other components take
 * meanwhile can wait. */
export function staysAt(cur: Step | undefined, held: readonly Step[] | undefined, trace: string): boolean {
  if (!cur || !trace || cur.trace !== trace || cur.outcome !== "waiting" || !held?.length) return false;
  return held.some((w) => w.seq === cur.seq) && !held.some((w) => w.trace === trace && w.seq > cur.seq);
}

/** heldTrace is the trace a follower moves to in step mode: when the cluster
 * holds steps but none of the followed trace, the newest held step is what
 * the learner's Next is waiting on, so its trace is followed ("" to stay). */
export function heldTrace(trace: string, held: readonly Step[] | undefined): string {
  if (!trace || !held?.length || held.some((w) => w.trace === trace)) return "";
  const last = held[held.length - 1];
  return last.trace && last.trace !== trace ? last.trace : "";
}

/** quietAfterMs: a followed action with no new step for this long is over. */
export const quietAfterMs = 3000;

/** catchUp says whether a follower jumps to the present: it played all it
 * knows of the followed action, the action has gone quiet, and it has not
 * jumped since the action's last step. What the action caused may go on in
 * a trace of its own; the diagram then shows where it got to. */
export function catchUp(p: { playing: boolean; hasNext: boolean; reading: boolean; quietMs: number; jumped: boolean }): boolean {
  return p.playing && !p.hasNext && !p.reading && !p.jumped && p.quietMs >= quietAfterMs;
}

/** beatIndex maps each step's seq to its beat. */
export function beatIndex(beats: readonly Beat[]): Map<number, Beat> {
  const m = new Map<number, Beat>();
  for (const b of beats) for (const seq of b.steps) m.set(seq, b);
  return m;
}

/** followDelay is how long the player shows one step of a followed trace:
 * a step a second at 1×, but a beat never takes more than a second and a half
 * at 4× (six seconds divided by the speed), so a whole create plays in about
 * ten seconds at the default pace however many steps its beats hold. */
export function followDelay(speed: number, beatSteps: number): number {
  const perStep = 1000 / speed;
  if (beatSteps <= 0) return perStep;
  return Math.min(perStep, 6000 / speed / beatSteps);
}

/** The catalogue key and arguments a beat's headline reads as: the Go
 * side's key (beat.request, beat.reconcile, …) or a variant of it for the
 * case the values say (a refused request, a read, a controller with nothing
 * to do, a kubelet that only reported). object names the object ("" when
 * the request named none); what is what a request asked for. */
export function headlineText(beat: Beat): { key: string; args: Record<string, string> } {
  const a: Record<string, string> = { ...(beat.headline?.args ?? {}) };
  const key = beat.headline?.key || `beat.${beat.kind}`;
  const failed = a.outcome !== undefined && a.outcome !== "ok";
  switch (key) {
    case "beat.request":
      if (a.code === "404") return { key: "beat.request.notfound", args: a };
      if (failed) return { key: "beat.request.failed", args: a };
      if (!a.revision) return { key: "beat.request.read", args: a };
      return { key, args: a };
    case "beat.reconcile":
      if (Number(a.writes ?? "0") === 0) return { key: "beat.reconcile.idle", args: a };
      if (!a.decision) return { key: "beat.reconcile.writes", args: a };
      return { key, args: a };
    case "beat.schedule":
      return { key: a.node ? key : "beat.schedule.failed", args: a };
    case "beat.kubelet":
      if (a.image) return { key, args: a };
      return { key: a.phase ? "beat.kubelet.status" : "beat.kubelet.other", args: a };
    case "beat.component":
      if (a.action === "restore") return { key: "beat.component.restore", args: a };
      return { key: a.action === "start" ? "beat.component.start" : "beat.component.stop", args: a };
  }
  return { key: key.startsWith("beat.") ? key : "beat.other", args: a };
}
