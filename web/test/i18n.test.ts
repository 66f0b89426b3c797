import { test } from "node:test";
import assert from "node:assert/strict";
import { fallbacks, messages, ui, why } from "../src/i18n/catalog.js";
import { narrate, tr } from "../src/i18n/narrate.js";
import { route } from "../src/model/route.js";
import { helloSteps, resetSeq, step } from "./fixtures.js";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test("every sentence exists in English and in Traditional Chinese with the same placeholders", () => {
  for (const table of [messages, fallbacks, ui, why]) {
    for (const [key, text] of Object.entries(table)) {
      assert.deepEqual(placeholders(text.zh), placeholders(text.en), key);
      if (text.en) assert.ok(text.zh, `${key} lacks zh-TW`);
    }
  }
});

test("a message key the catalogue lacks still reads as a sentence, in both languages", () => {
  resetSeq();
  const s = step({ component: "controller-manager", stage: "reconcile", object: { kind: "Endpoints", name: "web", namespace: "default" },
    message: { key: "controller.somethingNew", args: { x: "1" } } });
  const en = narrate(s, route(s), "en").what;
  const zh = narrate(s, route(s), "zh-TW").what;
  assert.equal(en, "The controller manager reconciles Endpoints default/web.");
  assert.ok(!en.includes("controller.somethingNew") && !zh.includes("controller.somethingNew"));
  assert.ok(zh.includes("控制器管理員") && zh.includes("default/web"), zh);
  const odd = step({ component: "etcd", stage: "snapshot", message: { key: "etcd.snapshot" } });
  assert.match(narrate(odd, route(odd), "en").what, /^etcd did something \(snapshot\)/);
});

test("an etcd compaction says which revision history now starts at and how big the database is", () => {
  resetSeq();
  const s = step({ component: "etcd", stage: "compact",
    message: { key: "etcd.compact", args: { revision: "4812", before: "3.1 MiB", after: "2.8 MiB" } } });
  const en = narrate(s, route(s), "en");
  assert.equal(en.what, "etcd compacts its history: values replaced before revision 4812 are gone (database 3.1 MiB → 2.8 MiB).");
  assert.match(en.why, /410 Gone/);
  assert.ok(narrate(s, route(s), "zh-TW").what.includes("4812"));
});

test("the narration says what happened with the step's own values, why, and what comes next", () => {
  const steps = helloSteps();
  const n = narrate(steps[7], route(steps[7]), "en");
  assert.equal(n.what, "The scheduler binds pod default/hello-1-abc to node-2.");
  assert.ok(n.why.length > 20);
  assert.match(n.next, /kubelet/);
  const zh = narrate(steps[0], route(steps[0]), "zh-TW");
  assert.equal(zh.what, "你（kubectl）向 API 伺服器送出 create deployments.apps 的請求。");
  assert.match(zh.next, /身分驗證/);
});

test("a step that failed does not promise the usual next stage", () => {
  resetSeq();
  const s = step({ component: "apiserver", stage: "authorize", outcome: "denied",
    message: { key: "apiserver.authorize.denied", args: { user: "bob", verb: "create", resource: "pods" } } });
  const n = narrate(s, route(s), "en");
  assert.equal(n.what, "RBAC does not allow bob to create pods: 403 Forbidden.");
  assert.equal(n.next, "");
  assert.equal(tr("keysAt", "zh-TW", { revision: "7" }), "etcd 修訂版 7");
});

test("a held step whose component has no waiting sentence still says to press Next", () => {
  resetSeq();
  const s = step({ component: "kubelet/node-1", stage: "pull", outcome: "waiting", object: { kind: "Pod", name: "p", namespace: "default" },
    message: { key: "kubelet.pull", args: { image: "nginx", container: "web" } } });
  assert.match(narrate(s, route(s), "en").what, /Press Next to let it go on\.$/i);
  assert.match(narrate(s, route(s), "zh-TW").what, /下一步/);
  const held = step({ component: "apiserver", stage: "authorize", outcome: "waiting", message: { key: "apiserver.wait", args: { stage: "authorize" } } });
  assert.equal(narrate(held, route(held), "en").what.match(/Press Next/g)?.length, 1, "said once");
});
