// Draws the swimlane of one trace (model/swimlane.ts lays it out): a lane
// per component across, the beats down in time order, each an arrow from
// the lane that acted through the lanes it touched. A beat is a button:
// clicking it opens its steps in the story.

import { SwimlaneLayout } from "../model/swimlane.js";
import { Lang } from "../i18n/catalog.js";
import { partName, tr } from "../i18n/narrate.js";
import { esc } from "./dom.js";

const svgNS = "http://www.w3.org/2000/svg";

/** laneLabel is a lane's short name, to fit above its lane. */
function laneLabel(id: string, lang: Lang): string {
  if (id.startsWith("kubelet/")) return id.slice("kubelet/".length);
  if (id === "kubectl") return "kubectl";
  if (id === "controller-manager") return tr("controllersLane", lang);
  return partName(id, lang).replace(/^the /, "");
}

export function renderSwimlane(l: SwimlaneLayout, lang: Lang, current: number | undefined, onBeat: (first: number) => void): SVGSVGElement {
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("class", "swimlane");
  svg.setAttribute("viewBox", `0 0 ${l.width} ${l.height}`);
  svg.setAttribute("role", "group");
  const out: string[] = [];
  out.push(`<defs><marker id="sl-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L8 4L0 8z" class="sl-head"/></marker></defs>`);
  for (const lane of l.lanes) {
    out.push(`<g class="lane" data-lane="${esc(lane.id)}"><title>${esc(partName(lane.id, lang))}</title>` +
      `<text class="lane-label" x="${lane.x}" y="${l.top - 14}" text-anchor="middle">${esc(laneLabel(lane.id, lang))}</text>` +
      `<line class="lane-line" x1="${lane.x}" y1="${l.top - 6}" x2="${lane.x}" y2="${l.height - 4}"/></g>`);
  }
  for (const r of l.rows) {
    const cls = ["sl-beat", r.beat.background ? "background" : "", r.beat.first === current ? "current" : ""].filter(Boolean).join(" ");
    const label = r.n ? String(r.n) : "·";
    out.push(`<g class="${cls}" data-beat="${r.beat.first}" data-kind="${esc(r.beat.kind)}" tabindex="0" role="button">` +
      `<rect class="sl-hit" x="0" y="${r.y - 13}" width="${l.width}" height="28" rx="4"/>`);
    r.arrows.forEach((a, j) => {
      const dir = a.x2 >= a.x1 ? 1 : -1;
      const from = a.x1 + dir * (j === 0 ? 10 : 2); // the first leaves the actor's dot
      out.push(`<line class="sl-arrow" data-from="${esc(a.from)}" data-to="${esc(a.to)}" x1="${from}" y1="${a.y}" x2="${a.x2 - dir * 3}" y2="${a.y}" marker-end="url(#sl-arrow)"/>`);
    });
    out.push(`<circle class="sl-dot" cx="${r.x}" cy="${r.y}" r="9"/><text class="sl-n" x="${r.x}" y="${r.y + 4}" text-anchor="middle">${esc(label)}</text></g>`);
  }
  svg.innerHTML = out.join("");
  const pick = (t: EventTarget | null) => {
    const g = (t as Element | null)?.closest?.("[data-beat]");
    if (g) onBeat(Number(g.getAttribute("data-beat")));
  };
  svg.addEventListener("click", (e) => pick(e.target));
  svg.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); e.stopPropagation(); pick(e.target); }
  });
  return svg;
}
