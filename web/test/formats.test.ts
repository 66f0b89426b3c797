import { test } from "node:test";
import assert from "node:assert/strict";
import { formatHash, parseHash } from "../src/model/viewstate.js";
import { exportSteps, importSteps } from "../src/model/exportfile.js";
import { diffLines, toYAML } from "../src/model/yaml.js";
import { splitArgs } from "../src/api/client.js";
import { replay } from "../src/model/cluster.js";
import { podsOn } from "../src/model/tree.js";
import { helloSteps } from "./fixtures.js";

test("a shared link brings back the same step, action and lesson", () => {
  const v = { step: 357, trace: "68f580ac", lesson: "first-deployment", panel: "etcd" };
  assert.deepEqual(parseHash(formatHash(v)), v);
  assert.deepEqual(parseHash("#step=abc&trace="), {});
  assert.equal(formatHash({}), "");
});

test("an exported action loads back and replays to the same cluster without a server", () => {
  const steps = helloSteps();
  const text = exportSteps(steps, "t1", new Date(0));
  const back = importSteps(text);
  assert.deepEqual(back, steps);
  assert.deepEqual(podsOn(replay(back), "node-2").map((p) => p.phase), ["Running"]);
  assert.deepEqual(importSteps(JSON.stringify([...steps].reverse())).map((s) => s.seq), steps.map((s) => s.seq));
  assert.throws(() => importSteps('{"hello": 1}'), /no steps/);
});

test("objects print as YAML the way kubectl shows them", () => {
  const y = toYAML({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x", labels: { app: "a" } },
    spec: { replicas: 1, template: { spec: { containers: [{ name: "c", ports: [{ containerPort: 3000 }] }] } } }, empty: {}, on: "true" });
  assert.equal(y, [
    "apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: x", "  labels:", "    app: a", "spec:", "  replicas: 1",
    "  template:", "    spec:", "      containers:", "      - name: c", "        ports:", "        - containerPort: 3000",
    "empty: {}", 'on: "true"'].join("\n"));
});

test("the diff of two versions shows what changed and keeps the rest", () => {
  const d = diffLines("a\nphase: Pending\nc", "a\nphase: Running\nc\nnodeName: n1");
  assert.deepEqual(d.map((l) => l.op + l.text), [" a", "-phase: Pending", "+phase: Running", " c", "+nodeName: n1"]);
});

test("a terminal line splits into kubectl arguments like a shell would", () => {
  assert.deepEqual(splitArgs("kubectl get pods -o wide"), ["get", "pods", "-o", "wide"]);
  assert.deepEqual(splitArgs(`label pod p 'note=hello world' -l "a=b c"`), ["label", "pod", "p", "note=hello world", "-l", "a=b c"]);
});
