// Playback: which step the diagram shows and how it moves. The rules live
// here, as one reducer, apply(state, action, steps) → state, so they are
// tested without a browser: start at the present rather than replay the
// boot; hold a linked step until its chunk of the history arrives; keep a
// followed trace's steps in view (never before its first); play the steps
// of its foreground beats at the follow pace, wait at a step the last
// reading of its beats did not cover, stay on a step the cluster holds for
// Next, and jump to the present when the action has gone quiet; forward,
// back, home, end; replay a file and go back to live.
//
// The reducer never reads the clock or the network. Actions carry the time;
// the beats come in as an action when the server answers; and when the
// rules want the beats read again they say so in `read`, for main.ts to do.
// A state that does not change is returned as it is, so the caller redraws
// only when the reference changes.

import { Step } from "./step.js";
import { Beat, beatIndex, catchUp, followDelay, heldTrace, pickFollow, playable, shouldPlay, staysAt, TraceDetail, TraceSummary } from "./story.js";

/** Steps is what playback reads of the timeline (timeline/timeline.ts). */
export interface Steps {
  readonly length: number;
  step(i: number): Step | undefined;
  indexOfSeq(seq: number): number;
  trace(id: string): { first: number } | undefined;
  nextIn(k: number, trace: string): number;
  prevIn(k: number, trace: string): number;
}

export interface Playback {
  k: number; // steps applied: the diagram shows the state after the first k
  playing: boolean;
  speed: number;
  animate: boolean; // the last move was one step forward, drawn as a moving dot
  trace: string; // the followed action ("" = all steps)
  pendingStep: number; // a linked step (seq) not in the history yet
  catchingUp: boolean; // the server is still sending the history
  offline: string; // the file being replayed ("" = live)
  story?: TraceDetail; // the followed trace's beats, as the server groups them
  storyFailed: string; // a trace whose beats could not be read: it plays whole
  index: ReadonlyMap<number, Beat>; // seq → beat, of story
  plays?: ReadonlySet<number>; // the seqs a follower plays (undefined: all)
  reading: boolean; // a reading of the beats is due or under way
  read: "" | "soon" | "now"; // a reading the caller should start
  heardAt: number; // when the followed trace last brought a step (ms)
  jumped: boolean; // the follower jumped to the present since then
  showBackground: boolean;
  expanded: ReadonlySet<number>; // story beats opened, by their first seq
}

export type Action =
  | { type: "steps"; batch: readonly Step[]; now: number } // appended to the timeline
  | { type: "live" } // the whole history has arrived
  | { type: "story"; trace: string; detail: TraceDetail } // a reading answered
  | { type: "storyFailed"; trace: string }
  | { type: "reading" } // the caller started the reading asked for
  | { type: "pacer"; mode: string; held?: readonly Step[]; now: number }
  | { type: "tick"; now: number; held?: readonly Step[]; stepMode: boolean }
  | { type: "follow"; trace: string; now: number } // an action began here (Apply, a lesson's action)
  | { type: "command"; traces: readonly TraceSummary[]; after: number; now: number } // a terminal command ran
  | { type: "chooseTrace"; trace: string; now: number } // the trace list
  | { type: "togglePlay" }
  | { type: "forward" }
  | { type: "back" }
  | { type: "home" }
  | { type: "end" }
  | { type: "scrub"; k: number }
  | { type: "speed"; speed: number }
  | { type: "showStep"; seq: number } // a step clicked in the story
  | { type: "link"; seq: number } // a step named by the URL
  | { type: "toggleBackground" }
  | { type: "toggleBeat"; first: number }
  | { type: "replayFile"; name: string }
  | { type: "backToLive" }
  | { type: "switchSandbox" }; // the page shows another sandbox (model/classroom.ts), from its present

/** initial is the playback of a page that opens: at the present, following
 * the trace and showing the step its link names, if any. */
export function initial(p: { trace?: string; step?: number; speed?: number }): Playback {
  const s: Playback = {
    k: 0, playing: true, speed: p.speed || 4, animate: false, trace: p.trace ?? "", pendingStep: p.step ?? 0,
    catchingUp: true, offline: "", storyFailed: "", index: new Map(), reading: false, read: "",
    heardAt: 0, jumped: false, showBackground: false, expanded: new Set(),
  };
  return requestRead(s, true);
}

/** StoryNote is what the story panel says while it has no beats to show. */
export type StoryNote = "storyNone" | "storyLoading" | "storyGone";

/** storyNote: nothing followed yet, a reading on its way, or a trace whose
 * steps the server no longer keeps (so it is not "on its way" for ever). */
export function storyNote(s: Playback): StoryNote {
  if (!s.trace) return "storyNone";
  return s.storyFailed === s.trace && !s.story ? "storyGone" : "storyLoading";
}

export function apply(s: Playback, a: Action, tl: Steps): Playback {
  switch (a.type) {
    case "steps": {
      let n = { ...s, animate: false };
      if (n.pendingStep) {
        // A linked step may come in a later chunk of the history: show it when it does.
        const k = tl.indexOfSeq(n.pendingStep);
        if (k > 0) n = { ...n, k, pendingStep: 0, playing: false, catchingUp: false };
      } else if (n.catchingUp) {
        n.k = tl.length; // start at the present, not at the cluster's boot
      } else if (!n.trace && !n.offline && n.playing && s.k >= tl.length - a.batch.length) {
        // Nothing followed and the view at the present: it stays there. Playing
        // every lease renewal and heartbeat one by one would fall ever further
        // behind a busy cluster and tell no one's story.
        n.k = tl.length;
      }
      if (n.trace && a.batch.some((x) => x.trace === n.trace)) n = requestRead({ ...n, heardAt: a.now, jumped: false }, false);
      if (n.trace && !n.catchingUp) n.k = Math.max(n.k, tl.trace(n.trace)?.first ?? 0);
      return n;
    }
    case "live": {
      if (!s.catchingUp) return s;
      return { ...s, catchingUp: false, animate: false, k: s.trace ? Math.max(s.k, tl.trace(s.trace)?.first ?? 0) : s.k };
    }
    case "story": {
      const n = { ...s, reading: false };
      // Answers can cross: an older reading never replaces a newer one.
      if (a.trace !== s.trace || (s.story?.trace === a.trace && a.detail.last < s.story.last)) return n;
      return { ...n, story: a.detail, index: beatIndex(a.detail.beatList), plays: playable(a.detail.beatList) };
    }
    case "storyFailed":
      return { ...s, reading: false, storyFailed: a.trace === s.trace && !s.story ? a.trace : s.storyFailed };
    case "reading":
      return s.read ? { ...s, read: "" } : s;
    case "pacer": {
      const t = a.mode === "step" ? heldTrace(s.trace, a.held) : "";
      return t ? follow(s, t, a.now) : s; // the action the cluster now waits on is the one to watch
    }
    case "tick": {
      if (!s.playing || staysAt(tl.step(s.k - 1), a.held, s.trace)) return s;
      const f = forward(s, tl);
      if (f.k !== s.k) return f;
      if (s.trace && !s.offline && !a.stepMode &&
        catchUp({ playing: true, hasNext: false, reading: f.reading, quietMs: a.now - s.heardAt, jumped: s.jumped })) {
        return { ...go(f, tl.length, tl), jumped: true }; // the action is over: show where everything it caused got to
      }
      return f;
    }
    case "follow":
      return startFollowing(s, a.trace, a.now, tl);
    case "command": {
      const t = pickFollow(a.traces, a.after);
      return !t || t === s.trace ? s : startFollowing(s, t, a.now, tl);
    }
    case "chooseTrace": {
      const n = follow(s, a.trace, a.now);
      const t = tl.trace(n.trace);
      return t ? { ...n, k: t.first + 1, playing: true, animate: false } : { ...n, animate: false };
    }
    case "togglePlay": {
      const playing = !s.playing;
      return { ...s, playing, animate: false, k: playing && s.k >= tl.length ? tl.length : s.k };
    }
    case "forward":
      return forward({ ...s, playing: false }, tl);
    case "back": {
      const k = tl.prevIn(s.k, s.trace);
      return go({ ...s, playing: false }, k < 0 ? 0 : k, tl);
    }
    case "home":
      return go({ ...s, playing: false }, s.trace ? (tl.trace(s.trace)?.first ?? 0) + 1 : 0, tl);
    case "end":
      return go({ ...s, playing: true }, tl.length, tl);
    case "scrub":
      return go({ ...s, playing: false }, a.k, tl);
    case "speed":
      return { ...s, speed: a.speed };
    case "showStep": {
      const k = tl.indexOfSeq(a.seq);
      return k < 0 ? s : go({ ...s, playing: false }, k, tl);
    }
    case "link": {
      const k = tl.indexOfSeq(a.seq);
      return k > 0 && k !== s.k ? go({ ...s, playing: false }, k, tl) : s;
    }
    case "toggleBackground":
      return { ...s, showBackground: !s.showBackground, animate: false };
    case "toggleBeat": {
      const expanded = new Set(s.expanded);
      if (expanded.has(a.first)) expanded.delete(a.first); else expanded.add(a.first);
      return { ...s, expanded, animate: false };
    }
    case "replayFile":
      return {
        ...s, offline: a.name, trace: "", story: undefined, storyFailed: "", index: new Map(), plays: undefined,
        catchingUp: false, playing: true, k: 0, animate: false, read: "", pendingStep: 0,
      };
    case "backToLive":
      return { ...s, offline: "", catchingUp: true, k: 0, animate: false };
    case "switchSandbox":
      // Another sandbox's history: nothing followed, seen or opened here means anything there.
      return initial({ speed: s.speed });
  }
}

/** nextK is the k of the next step to show after s.k: in the followed trace,
 * the next step of a foreground beat; -1 when there is none yet, or while
 * the beats are not read (stale: a step the last reading did not cover). */
export function nextK(s: Playback, tl: Steps): { k: number; stale: boolean } {
  if (!s.trace) return { k: tl.nextIn(s.k, ""), stale: false };
  const d = followed(s);
  if (s.offline || s.storyFailed === s.trace || s.showBackground || (d && !s.plays)) return { k: tl.nextIn(s.k, s.trace), stale: false };
  if (!d) return { k: -1, stale: false };
  for (let i = s.k; i < tl.length; i++) {
    const x = tl.step(i)!;
    if (x.trace !== s.trace) continue;
    if (x.seq > d.last && x.outcome !== "waiting") return { k: -1, stale: true };
    if (shouldPlay(x, s.plays!)) return { k: i + 1, stale: false };
  }
  return { k: -1, stale: false };
}

/** tickDelay is how long the player shows a step before the next one: a
 * step at the speed, or a followed beat's share of the follow pace. */
export function tickDelay(s: Playback, tl: Steps): number {
  if (!s.trace || !s.story || s.k >= tl.length) return 1000 / s.speed;
  const k = nextK(s, tl).k;
  const beat = k > 0 ? s.index.get(tl.step(k - 1)!.seq) : undefined;
  return beat ? followDelay(s.speed, beat.steps.length) : 1000 / s.speed;
}

/** followed is the followed trace's beats, when the last reading is of it. */
export function followed(s: Playback): TraceDetail | undefined {
  return s.story?.trace === s.trace ? s.story : undefined;
}

/** hashStep is the seq a shared link names: the step on screen, unless the
 * player is playing at the present (then the link opens at the present). */
export function hashStep(s: Playback, tl: Steps): number | undefined {
  return s.k < tl.length || !s.playing ? tl.step(s.k - 1)?.seq : undefined;
}

function go(s: Playback, k: number, tl: Steps, animate = false): Playback {
  return { ...s, k: Math.max(0, Math.min(k, tl.length)), animate };
}

function forward(s: Playback, tl: Steps): Playback {
  const { k, stale } = nextK(s, tl);
  if (k < 0) return stale && !s.reading ? requestRead(s, false) : s;
  return go(s, k, tl, true);
}

function follow(s: Playback, trace: string, now: number): Playback {
  if (trace === s.trace && s.story) return s;
  return requestRead({
    ...s, trace, story: undefined, storyFailed: "", expanded: new Set(), heardAt: now, jumped: false,
    index: new Map(), plays: undefined,
  }, true);
}

function startFollowing(s: Playback, trace: string, now: number, tl: Steps): Playback {
  const n = { ...follow(s, trace, now), playing: true, animate: false };
  const t = tl.trace(trace);
  return t ? { ...n, k: t.first } : n;
}

/** requestRead asks for the followed trace's beats to be read: "now" when
 * the trace has just been chosen, "soon" as its steps arrive (a reading
 * already due is not put off). */
function requestRead(s: Playback, now: boolean): Playback {
  if (s.offline || !s.trace) return s;
  return { ...s, reading: true, read: now || s.read === "now" ? "now" : "soon" };
}
