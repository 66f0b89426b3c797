// Exported steps: a trace saved as a JSON file that anyone can load back and
// replay without a server (the model replays the file as it would the stream).

import { isStep, Step } from "./step.js";

export interface StepsFile {
  glassplane: "steps";
  version: 1;
  trace?: string;
  exported: string;
  steps: Step[];
}

export function exportSteps(steps: readonly Step[], trace: string | undefined, now: Date): string {
  const f: StepsFile = { glassplane: "steps", version: 1, trace, exported: now.toISOString(), steps: [...steps] };
  return JSON.stringify(f, null, 1);
}

/** importSteps reads a file written by exportSteps, or a bare array of steps
 * (what GET /steps returns); it returns the steps sorted by seq, without
 * duplicates, or throws if the text holds none. */
export function importSteps(text: string): Step[] {
  const data: unknown = JSON.parse(text);
  const list = Array.isArray(data) ? data : (data as { steps?: unknown })?.steps;
  if (!Array.isArray(list)) throw new Error("no steps in this file");
  const steps = list.filter(isStep).sort((a, b) => a.seq - b.seq);
  const out = steps.filter((s, i) => i === 0 || s.seq !== steps[i - 1].seq);
  if (out.length === 0) throw new Error("no steps in this file");
  return out;
}
