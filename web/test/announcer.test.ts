import { test } from "node:test";
import assert from "node:assert/strict";
import { Announcer } from "../src/view/narration.js";

test("the narration is announced at most every two seconds, and only its latest headline", () => {
  let now = 0;
  const timers: { at: number; f: () => void }[] = [];
  const el = { textContent: "" as string | null };
  const a = new Announcer(el, 2000, () => now, (f, ms) => timers.push({ at: now + ms, f }));
  a.say("one");
  assert.equal(el.textContent, "one", "the first headline is said at once");
  now = 100; a.say("two");
  now = 200; a.say("three");
  assert.equal(el.textContent, "one", "nothing more within two seconds");
  assert.equal(timers.length, 1, "one timer for the lot");
  now = timers[0].at; timers[0].f();
  assert.equal(el.textContent, "three", "then the latest");
  now = 5000; a.say("three");
  assert.equal(el.textContent, "three");
  now = 9000; a.say("four");
  assert.equal(el.textContent, "four", "after a quiet spell, at once again");
});
