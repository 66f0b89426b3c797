import { test } from "node:test";
import assert from "node:assert/strict";
import { applyUI, initialUI } from "../src/model/ui.js";

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
