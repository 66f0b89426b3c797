import { test } from "node:test";
import assert from "node:assert/strict";
import * as catalog from "../src/i18n/catalog.js";
import { checks, decisions, fallbacks, messages, parts, stages, ui, why } from "../src/i18n/catalog.js";
import { examples } from "../src/view/examples.js";
import { glossary, styleFaults } from "./zhstyle.js";
import { checkText, decisionText, narrate, tr } from "../src/i18n/narrate.js";
import type { CheckNote } from "../src/model/lessons.js";
import { route } from "../src/model/route.js";
import { helloSteps, resetSeq, step } from "./fixtures.js";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test("every sentence exists in English and in Traditional Chinese with the same placeholders", () => {
  for (const table of [messages, fallbacks, ui, why, checks, decisions]) {
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

// Every table of the catalogue, by name, and the playground's example names.
const tables: Record<string, Record<string, { en: string; zh: string }>> = {
  ...Object.fromEntries(Object.entries(catalog).filter(([, v]) => typeof v === "object" && v !== null && !Array.isArray(v)) as
    [string, Record<string, { en: string; zh: string }>][]),
  examples: Object.fromEntries(examples.map((e) => [e.id, { en: e.en, zh: e.zh }])),
};
// Names that read the same in both languages.
const sameInBoth = new Set(["etcd", "kubelet", "Glassplane"]);

test("every catalogue text is translated: zh-TW is there and is not the English again", () => {
  const untranslated: string[] = [];
  let n = 0;
  for (const [name, table] of Object.entries(tables)) {
    for (const [key, text] of Object.entries(table)) {
      n++;
      if (text.en && !text.zh) untranslated.push(`${name}.${key}: no zh-TW`);
      else if (text.en && text.zh === text.en && !sameInBoth.has(text.en)) untranslated.push(`${name}.${key}: zh-TW is the English "${text.en}"`);
    }
  }
  assert.ok(n > 300, `only ${n} texts found: a table is missing`);
  assert.deepEqual(untranslated, []);
});

test("zh-TW catalogue text uses full-width punctuation, no stray spaces and the glossary's words", () => {
  const faults: string[] = [];
  for (const [name, table] of Object.entries(tables)) {
    for (const [key, text] of Object.entries(table)) for (const f of styleFaults(text.zh)) faults.push(`${name}.${key}: ${f}`);
  }
  assert.deepEqual(faults, []);
});

test("the style check catches half-width punctuation and stray spaces, and leaves code alone", () => {
  assert.notDeepEqual(styleFaults("一個指令,七個關卡"), [], "一個指令,七個關卡");
  assert.notDeepEqual(styleFaults("就緒探針(readiness probe)失敗了"), [], "就緒探針(readiness probe)失敗了");
  assert.notDeepEqual(styleFaults("為什麼?"), [], "為什麼?");
  assert.notDeepEqual(styleFaults("etcd 是叢集的記憶."), [], "etcd 是叢集的記憶.");
  assert.notDeepEqual(styleFaults("身分驗證、 控制器管理員"), [], "身分驗證、 控制器管理員");
  assert.notDeepEqual(styleFaults("控制器 管理員"), [], "控制器 管理員");
  assert.notDeepEqual(styleFaults("請 API Server 建立"), [], "請 API Server 建立");
  assert.notDeepEqual(styleFaults("建立一個 Deployment echo,2 個副本"), [], "echo,2");
  assert.deepEqual(styleFaults("執行 `kubectl get pods -o wide, -n x`，看 {node}: status.phase 為 Running（執行中）；1,000 個「0/3 nodes are available: 3 Insufficient cpu.」"), []);
});

test("the diagram's names are the glossary's words", () => {
  const zh = Object.fromEntries(glossary.terms.map((t) => [t.en, t.zh]));
  assert.equal(parts.apiserver.zh, zh["API server"]);
  assert.equal(parts["controller-manager"].zh, zh["controller manager"]);
  assert.equal(parts.scheduler.zh, zh.scheduler);
  assert.equal(parts.node.zh, zh.node);
  assert.equal(parts.controlPlane.zh, zh["control plane"]);
  assert.equal(stages.watch.zh, zh.watch);
  assert.equal(ui.revision.zh, zh.revision);
  assert.equal(ui.modeStep.zh, zh["step mode"]);
  assert.equal(`「${ui.next.zh}」`, zh.Next);
  assert.equal(`「${ui.lessonDo.zh}」`, zh["Do it for me"]);
  assert.equal(ui.playground.zh, zh.playground);
  assert.equal(ui.terminal.zh, zh.terminal);
});

test("a controller's decision and name reach a zh-TW page in Chinese, with the decision's own values", () => {
  resetSeq();
  const s = step({ component: "controller-manager", stage: "reconcile", object: { kind: "ReplicaSet", name: "hello-1", namespace: "default" },
    message: { key: "controller.reconcile", args: { controller: "replicaset-controller", decision: "create 3 pods" } } });
  assert.equal(narrate(s, route(s), "en").what, "The replicaset-controller compares what is wanted with what exists, and decides: create 3 pods.");
  assert.equal(narrate(s, route(s), "zh-TW").what, "ReplicaSet 控制器比較期望的狀態與實際的狀態，決定：建立 3 個 Pod。");
  assert.equal(decisionText("RollingUpdate: create ReplicaSet web-5d8 (maxSurge 1, maxUnavailable 0)", "zh-TW"),
    "RollingUpdate：建立 ReplicaSet web-5d8（maxSurge 1，maxUnavailable 0）");
  assert.equal(decisionText("something new", "zh-TW"), "something new", "an unknown decision stays as it came");
  // Every decision in the table is recognised from its English, whatever its values.
  for (const [key, text] of Object.entries(decisions)) {
    const en = text.en.replace(/\{\w+\}/g, "7");
    assert.equal(decisionText(en, "zh-TW"), text.zh.replace(/\{\w+\}/g, "7"), key);
  }
});

test("a lesson's check says what it found in the learner's language, from the key and values the server sends", () => {
  const pacer = { key: "check.pacer", args: { mode: "live", waiting: "0" } };
  assert.equal(checkText(pacer, "en"), "the pacer is in live mode, 0 step(s) waiting");
  assert.equal(checkText(pacer, "zh-TW"), "節奏控制目前是即時模式，有 0 個步驟在等待");
  const pods: CheckNote = { key: "check.objects", args: { matched: "0", kind: "Pod", which: "[app=web]", namespace: "default", want: ">=1" },
    parts: [{ key: "check.objectNot", args: { kind: "Pod", name: "web-1" } }, { key: "check.isNot", args: { path: "status.phase", got: "Pending", want: "Running" } }] };
  assert.equal(checkText(pods, "en"), "0 Pod [app=web] in default matching (want >=1) (Pod web-1: status.phase is Pending, not Running)");
  assert.equal(checkText(pods, "zh-TW"), "default 裡符合條件的 Pod [app=web]：0 個（需要 >=1）（Pod web-1：status.phase 是 Pending，不是 Running）");
  const any: CheckNote = { key: "check.any", parts: [{ key: "check.component.stopped", args: { component: "scheduler" } }, { key: "check.snapshots", args: { n: "0" } }] };
  assert.equal(checkText(any, "zh-TW"), "scheduler 已停止；或是已儲存 0 個快照");
  const rec = { key: "check.notRecordedAny", args: { component: "apiserver", stage: "authorize", outcome: "" } };
  assert.equal(checkText(rec, "zh-TW"), "課程開始後，還沒有 apiserver 的「授權」步驟");
  assert.equal(checkText({ key: "check.somethingNew" }, "zh-TW"), "", "an unknown note leaves the server's English to the panel");
  assert.equal(checkText({ key: "check.not", parts: [{ key: "check.somethingNew" }] }, "zh-TW"), "");
});

test("the DaemonSet and StatefulSet controllers' names and decisions reach a zh-TW page in Chinese", () => {
  resetSeq();
  const s = step({ component: "controller-manager", stage: "reconcile", object: { kind: "StatefulSet", name: "web", namespace: "default" },
    message: { key: "controller.reconcile", args: { controller: "statefulset-controller", decision: "wait for web-0 to be Running and Ready" } } });
  assert.equal(narrate(s, route(s), "zh-TW").what, "StatefulSet 控制器比較期望的狀態與實際的狀態，決定：等待 web-0 執行並就緒。");
  assert.equal(decisionText("create pod web-1", "zh-TW"), "建立 Pod web-1");
  assert.equal(decisionText("create web-0, web-1, web-2 at once", "zh-TW"), "同時建立 web-0, web-1, web-2");
  assert.equal(decisionText("delete pod web-2", "zh-TW"), "刪除 Pod web-2");
  assert.equal(decisionText("RollingUpdate: delete web-2 to create it again at revision web-5d8f7c", "zh-TW"),
    "RollingUpdate：刪除 web-2，再以修訂版 web-5d8f7c 重新建立");
  assert.equal(decisionText("create a daemon pod on node-1, node-2, node-3", "zh-TW"), "在 node-1, node-2, node-3 上各建立一個 daemon Pod");
  assert.equal(decisionText("RollingUpdate: replace the old pods on node-2 (maxUnavailable 1)", "zh-TW"),
    "RollingUpdate：替換 node-2 上的舊 Pod（maxUnavailable 1）");
  assert.equal(decisionText("report status: 2 of 3 pods ready, 3 up to date", "zh-TW"), "回報狀態：3 個 Pod 中有 2 個就緒，3 個已更新");
});
