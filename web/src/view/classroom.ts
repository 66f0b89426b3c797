// The classroom's banner over the diagram: while the page shows a sandbox
// that is not the session's own — a student following the teacher, a
// teacher looking at a student's — it says so, in the learner's language,
// so that nobody wonders why the playground and the terminal are gone.
// model/classroom.ts decides; this only draws.

import { Lang } from "../i18n/catalog.js";
import { tr } from "../i18n/narrate.js";
import { Banner } from "../model/classroom.js";
import { clear, h } from "./dom.js";

export function renderBanner(el: HTMLElement, b: Banner, lang: Lang): void {
  const sig = JSON.stringify([b, lang]);
  if (el.dataset.sig === sig) return;
  el.dataset.sig = sig;
  clear(el);
  el.hidden = !b;
  if (!b) return;
  el.dataset.kind = b.kind;
  const title = b.kind === "following" ? tr("following", lang) : tr("viewingReadOnly", lang, { sandbox: b.sandbox });
  const hint = tr(b.kind === "following" ? "followingHint" : "viewingHint", lang);
  el.append(h("strong", {}, title), h("span", { class: "banner-hint", title: hint }, hint)); // the title: the whole hint, when a narrow window cuts it
}
