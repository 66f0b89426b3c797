// The story panel: the trace the app follows, told in beats. Its swimlane
// on top, then the foreground beats as a numbered list, each a sentence in
// the learner's language that opens to its real steps; the background is
// counted on a toggle that shows it in place. model/story.ts decides what to
// show; this only draws it.

import { Lang } from "../i18n/catalog.js";
import { beatSentence, narrate, partName, tr } from "../i18n/narrate.js";
import { route } from "../model/route.js";
import { Step } from "../model/step.js";
import { StoryNote } from "../model/playback.js";
import { story, TraceDetail } from "../model/story.js";
import { actorOf, layoutSwimlane } from "../model/swimlane.js";
import { renderSwimlane } from "./swimlane.js";
import { h } from "./dom.js";

export interface StoryContext {
  lang: Lang;
  detail?: TraceDetail;
  note: StoryNote; // what to say while there is no detail (model/playback.ts)
  showBackground: boolean;
  expanded: ReadonlySet<number>; // beats opened, by their first seq
  current?: number; // seq of the step the diagram shows
  toggleBackground: () => void;
  toggleBeat: (first: number) => void;
  selectStep: (seq: number) => void;
}

/** who names the component of a beat, and who asked it when another did. */
function who(component: string, actor: string, L: Lang): string {
  const name = (p: string) => partName(p, L).replace(/^the /, "");
  return actor !== component ? `${name(actor)} → ${name(component)}` : name(component);
}

export function renderStory(ctx: StoryContext): HTMLElement {
  const L = ctx.lang;
  const el = h("div", { class: "story" });
  const d = ctx.detail;
  if (!d) {
    el.append(h("p", { class: "muted story-note" }, tr(ctx.note, L)));
    return el;
  }
  const st = story(d.beatList, ctx.showBackground);
  const bySeq = new Map(d.stepList.map((s) => [s.seq, s]));
  const currentBeat = ctx.current === undefined ? undefined : d.beatList.find((b) => b.steps.includes(ctx.current!))?.first;
  el.append(h("h3", {}, tr("storyOf", L), " ", h("span", { class: "muted story-count" }, storyCount(st.foreground, d.stepList.length, L))));
  const lane = layoutSwimlane(d.beatList, st.items, d.stepList, { width: 400 });
  el.append(h("p", { class: "muted swimlane-title" }, tr("swimlane", L)), renderSwimlane(lane, L, currentBeat, ctx.toggleBeat));
  if (st.backgroundSteps > 0) {
    el.append(h("button", { class: "small bg-toggle", "aria-pressed": String(ctx.showBackground), "data-count": st.backgroundSteps, onclick: ctx.toggleBackground },
      tr(ctx.showBackground ? "hideBackground" : "showBackground", L, { n: String(st.backgroundSteps) })));
  }
  const list = h("ol", { class: "beats" });
  for (const { beat, n } of st.items) {
    const open = ctx.expanded.has(beat.first);
    const li = h("li", {
      class: ["beat", beat.background ? "background" : "foreground", open ? "open" : "", beat.first === currentBeat ? "current" : ""].filter(Boolean).join(" "),
      "data-beat": beat.first, "data-kind": beat.kind, "data-component": beat.component, "data-steps": beat.steps.length,
    });
    const head = h("button", { class: "beat-head", "aria-expanded": String(open), onclick: () => ctx.toggleBeat(beat.first) },
      h("span", { class: "beat-n" }, n ? String(n) : "·"),
      h("span", { class: "beat-text" },
        h("span", { class: "beat-who" }, `${who(beat.component, actorOf(beat), L)}${beat.background ? ` · ${tr("backgroundBeat", L)}` : ""} · ${tr("beatSteps", L, { n: String(beat.steps.length) })}`),
        h("span", { class: "beat-what" }, beatSentence(beat, L))));
    li.append(head);
    if (open) {
      const steps = h("ol", { class: "beat-steps" });
      for (const seq of beat.steps) {
        const s: Step | undefined = bySeq.get(seq);
        if (!s) continue;
        steps.append(h("li", {}, h("button", {
          class: `step-link${seq === ctx.current ? " current" : ""}`, "data-seq": seq, onclick: () => ctx.selectStep(seq),
        }, h("span", { class: "muted" }, `#${seq} · ${partName(s.component, L).replace(/^the /, "")} · ${s.stage} `), narrate(s, route(s), L).what)));
      }
      li.append(steps);
    }
    list.append(li);
  }
  el.append(list);
  return el;
}

/** storyCount says how many beats and steps a story has, singular for one. */
export function storyCount(beats: number, steps: number, L: Lang): string {
  const count = (n: number, one: string, many: string) => tr(n === 1 ? one : many, L, { n: String(n) });
  return tr("storyBeats", L, { beats: count(beats, "storyBeatOne", "storyBeatMany"), steps: count(steps, "storyStepOne", "storyStepMany") });
}
