import { test } from "node:test";
import assert from "node:assert/strict";
import { applyUI, initialUI, panels, shownPanels } from "../src/model/ui.js";

const prefs = (query: string, stored: Record<string, string> = {}) => ({
  query: new URLSearchParams(query), stored: (k: string) => stored[k] ?? null, prefersLight: false, browserLang: "en",
});

test("presenting is turned on by ?present or ?present=1, off by ?present=0, and otherwise as this browser left it", () => {
  assert.equal(initialUI(prefs("present")).present, true);
  assert.equal(initialUI(prefs("present=1")).present, true);
  assert.equal(initialUI(prefs("present=0", { "glassplane.present": "1" })).present, false, "the URL wins over what was stored");
  assert.equal(initialUI(prefs("", { "glassplane.present": "1" })).present, true, "remembered like the theme");
  assert.equal(initialUI(prefs("", { "glassplane.present": "0" })).present, false);
  assert.equal(initialUI(prefs("")).present, false, "a first visit does not present");
});

test("the presenting toggle flips, and Escape's explicit off stays off", () => {
  let u = initialUI(prefs(""));
  u = applyUI(u, { type: "present" });
  assert.equal(u.present, true);
  u = applyUI(u, { type: "present", on: false });
  assert.equal(u.present, false);
  assert.equal(applyUI(u, { type: "present", on: false }).present, false);
});

test("a read-only page offers no playground or terminal, and leaves them for the story", () => {
  let u = applyUI(initialUI(prefs("")), { type: "panel", panel: "terminal" });
  u = applyUI(u, { type: "readOnly", on: true });
  assert.equal(u.panel, "story", "the terminal would write: the story shows what happens instead");
  assert.deepEqual(shownPanels(u), ["story", "inspector", "etcd", "lessons"]);
  assert.equal(applyUI(u, { type: "panel", panel: "playground" }), u, "a click on a hidden tab changes nothing");
  assert.equal(applyUI(applyUI(u, { type: "panel", panel: "story" }), { type: "panelBy", by: -1 }).panel, "lessons", "the arrow keys go round the tabs shown");
  assert.equal(applyUI(applyUI(u, { type: "panel", panel: "lessons" }), { type: "panelBy", by: 1 }).panel, "story");
  const back = applyUI(applyUI(u, { type: "panel", panel: "story" }), { type: "readOnly", on: false });
  assert.equal(back.panel, "terminal", "back to the terminal the page was taken from");
  const chose = applyUI(applyUI(u, { type: "panel", panel: "etcd" }), { type: "readOnly", on: false });
  assert.equal(chose.panel, "etcd", "a tab chosen since stays");
  u = applyUI(u, { type: "readOnly", on: false });
  assert.equal(u.readOnly, false);
  assert.deepEqual(shownPanels(u), panels);
  assert.equal(applyUI(u, { type: "panel", panel: "playground" }).panel, "playground");
});

test("another sandbox's stream starts with no pacer or components of the last one", () => {
  let u = applyUI(initialUI(prefs("")), { type: "conn", status: "open" });
  u = applyUI(u, { type: "pacer", pacer: { mode: "step", delayMs: 0, breakpoints: [], paused: ["scheduler"] } });
  u = applyUI(u, { type: "components", list: [{ name: "scheduler", running: false }] });
  u = applyUI(u, { type: "switchSandbox" });
  assert.deepEqual([u.pacer, u.components, u.conn], [null, [], "connecting"]);
});
