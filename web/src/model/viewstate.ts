// The view state a shared link carries in the URL hash: which step is shown
// (by seq, which never changes, rather than by index), which action (trace)
// the learner follows, which lesson is open and which panel.
// Example: #step=357&trace=68f580ac067a7ee8&panel=story, or
// #lesson=kubectl-create&lessonStep=2&panel=lessons

export interface ViewState {
  step?: number; // seq of the current step; absent = follow live
  trace?: string;
  lesson?: string;
  lessonStep?: number; // index of the lesson step on screen (0 = the first)
  panel?: string;
  inspect?: string; // an object key, or "step"
}

export function parseHash(hash: string): ViewState {
  const p = new URLSearchParams(hash.replace(/^#/, ""));
  const v: ViewState = {};
  const step = Number(p.get("step"));
  if (p.has("step") && Number.isInteger(step) && step > 0) v.step = step;
  const lessonStep = Number(p.get("lessonStep"));
  if (p.has("lessonStep") && Number.isInteger(lessonStep) && lessonStep >= 0) v.lessonStep = lessonStep;
  for (const k of ["trace", "lesson", "panel", "inspect"] as const) {
    const x = p.get(k);
    if (x) v[k] = x;
  }
  return v;
}

export function formatHash(v: ViewState): string {
  const p = new URLSearchParams();
  if (v.step) p.set("step", String(v.step));
  for (const k of ["trace", "lesson", "panel", "inspect"] as const) if (v[k]) p.set(k, v[k]!);
  if (v.lesson && v.lessonStep !== undefined) p.set("lessonStep", String(v.lessonStep));
  const s = p.toString();
  return s ? "#" + s : "";
}
