import { test } from "node:test";
import assert from "node:assert/strict";
import { apply, empty, objectKey, replay } from "../src/model/cluster.js";
import { ownershipTree, podsOn } from "../src/model/tree.js";
import { callerOf, isComponentAgent, route } from "../src/model/route.js";
import { helloSteps, resetSeq, step, stored } from "./fixtures.js";

test("a Deployment, its ReplicaSet and its Pod form one ownership tree", () => {
  const st = replay(helloSteps());
  const roots = ownershipTree(st);
  assert.equal(roots.length, 1);
  assert.equal(roots[0].object.kind, "Deployment");
  assert.equal(roots[0].children[0].object.name, "hello-1");
  assert.equal(roots[0].children[0].children[0].object.name, "hello-1-abc");
});

test("an object of another kind that owns a workload, such as an operator's custom resource, is drawn as its root", () => {
  resetSeq();
  const own = (kind: string, name: string) => ({ metadata: { ownerReferences: [{ kind, name, uid: `uid-${name}` }] } });
  const st = replay([
    stored("Website", "site"), // the fixture's uid is the name's, so the names differ
    stored("Deployment", "blog", own("Website", "site")),
    stored("Service", "blog-svc", own("Website", "site")),
    stored("Lease", "unrelated"),
  ]);
  const roots = ownershipTree(st);
  assert.deepEqual(roots.map((r) => r.object.kind), ["Website"]);
  assert.deepEqual(roots[0].children.map((c) => c.object.kind), ["Deployment", "Service"]);
});

test("a pod appears inside the node it was bound to, with the phase etcd last stored", () => {
  const all = helloSteps();
  const beforeRun = replay(all.slice(0, 9));
  assert.deepEqual(podsOn(beforeRun, "node-2").map((p) => p.phase), ["Pending"]);
  const after = replay(all);
  assert.deepEqual(podsOn(after, "node-2").map((p) => [p.name, p.phase]), [["hello-1-abc", "Running"]]);
  assert.deepEqual(podsOn(after, "node-1"), []);
  assert.ok(after.nodes.includes("node-2"), "a kubelet's node is known from its steps");
});

test("apply never changes the state it is given", () => {
  const steps = helloSteps();
  const before = replay(steps.slice(0, 5));
  const snapshot = JSON.stringify(before);
  apply(before, steps[5]);
  assert.equal(JSON.stringify(before), snapshot);
  assert.equal(JSON.stringify(empty), JSON.stringify(replay([])));
});

test("etcd keeps every revision written to a key, oldest first", () => {
  const st = replay(helloSteps());
  const revs = st.etcd["/registry/pods/default/hello-1-abc"].revisions;
  assert.equal(revs.length, 3);
  assert.ok(revs[0].revision < revs[1].revision && revs[1].revision < revs[2].revision);
  assert.equal(st.revision, revs[2].revision);
});

test("a response travels back to the component that sent the request", () => {
  resetSeq();
  const req = step({ component: "apiserver", stage: "request", detail: { userAgent: "system:kube-scheduler" } });
  const resp = step({ component: "apiserver", stage: "respond", parent: req.seq });
  const st = replay([req, resp]);
  assert.deepEqual(st.route, { from: "apiserver", to: "scheduler" });
  assert.deepEqual(st.openRequests, {}, "the answered request is forgotten");
});

test("each stage's message joins the parts that took it", () => {
  resetSeq();
  const cases: [string, string, object | undefined, string, string][] = [
    ["apiserver", "request", { userAgent: "system:node:node-3" }, "kubelet/node-3", "apiserver"],
    ["etcd", "store", undefined, "apiserver", "etcd"],
    ["scheduler", "watch", undefined, "apiserver", "scheduler"],
    ["controller-manager", "reconcile", undefined, "controller-manager", "controller-manager"],
    ["scheduler", "bind", undefined, "scheduler", "apiserver"],
    ["kubelet/node-1", "status", undefined, "kubelet/node-1", "apiserver"],
    ["apiserver", "authorize", undefined, "apiserver", "apiserver"],
  ];
  for (const [component, stage, detail, from, to] of cases) {
    assert.deepEqual(route(step({ component, stage, detail })), { from, to }, `${component} ${stage}`);
  }
  assert.equal(callerOf("kubectl/v1.32.0 (linux/amd64)"), "kubectl");
  assert.equal(callerOf("system:kube-controller-manager"), "controller-manager");
  // The components send user agents like Kubernetes' own, then their identity.
  assert.equal(callerOf("kubelet/v1.37.2 (linux/amd64) kubernetes/glassplane system:node:node-2"), "kubelet/node-2");
  assert.equal(callerOf("kube-scheduler/v1.37.2 (linux/amd64) kubernetes/glassplane system:kube-scheduler"), "scheduler");
  for (const ua of ["kubelet/v1.37.2 (linux/amd64) kubernetes/glassplane system:node:node-2", "kube-controller-manager/v1.37.2 (linux/amd64) kubernetes/glassplane system:kube-controller-manager", "system:node:node-1"]) {
    assert.ok(isComponentAgent(ua), ua);
  }
  for (const ua of ["kubectl/v1.32.0 (linux/amd64) kubernetes/abc", "glassplane-playground", "Helm/3.16"]) {
    assert.ok(!isComponentAgent(ua), ua);
  }
});

test("a deleted object leaves the tree and its node", () => {
  const steps = helloSteps();
  const del = step({ component: "etcd", stage: "store", object: { kind: "Pod", name: "hello-1-abc", namespace: "default" },
    detail: { op: "delete", key: "/registry/pods/default/hello-1-abc", revision: 99 } });
  const st = replay([...steps, del]);
  assert.equal(st.objects[objectKey("Pod", "default", "hello-1-abc")].deleted, true);
  assert.deepEqual(podsOn(st, "node-2"), []);
  assert.equal(ownershipTree(st)[0].children[0].children.length, 0);
});

test("a pod being deleted shows as Terminating", () => {
  resetSeq();
  const st = replay([stored("Pod", "p", { metadata: { deletionTimestamp: "2026-01-01T00:00:00Z" }, spec: { nodeName: "node-1" }, status: { phase: "Running" } })]);
  assert.equal(podsOn(st, "node-1")[0].phase, "Terminating");
});
