import { test } from "node:test";
import assert from "node:assert/strict";
import { empty, replay } from "../src/model/cluster.js";
import { step as fixtureStep, stored } from "./fixtures.js";
import { renderDiagram } from "../src/view/diagram.js";

const ctx = { lang: "en" as const, stopped: new Set<string>(), paused: new Set<string>(), waiting: new Set<string>() };

test("etcd with several members draws each member as a button with its role, term and applied index", () => {
  const members = [
    { name: "etcd-1", running: false },
    { name: "etcd-2", running: true, role: "leader" as const, term: 5, appliedIndex: 120, leader: "etcd-2" },
    { name: "etcd-3", running: true, role: "follower" as const, term: 5, appliedIndex: 120, leader: "etcd-2" },
  ];
  const svg = renderDiagram(empty, { ...ctx, members });
  assert.match(svg, /data-part="etcd-1" data-role="stopped"/);
  assert.match(svg, /data-part="etcd-2" data-role="leader"/);
  assert.match(svg, /★ etcd-2 {2}t5 #120/);
  assert.match(svg, /leader etcd-2 · Raft term 5/);
});

test("etcd with one member draws no members", () => {
  assert.doesNotMatch(renderDiagram(empty, ctx), /data-part="etcd-\d"/);
});

test("a Deployment of 50 shows how many are ready, why pods wait, and counts the pods it has no room for", () => {
  const steps = [
    stored("Deployment", "web", { spec: { replicas: 50 }, status: { readyReplicas: 24 } }),
    stored("ReplicaSet", "web-1", { metadata: { ownerReferences: [{ kind: "Deployment", name: "web", uid: "uid-web" }] }, spec: { replicas: 50 }, status: { readyReplicas: 24 } }),
  ];
  const rsOwner = { ownerReferences: [{ kind: "ReplicaSet", name: "web-1", uid: "uid-web-1" }] };
  for (let i = 0; i < 50; i++) {
    const running = i < 24;
    steps.push(stored("Pod", `web-1-${String(i).padStart(2, "0")}`, {
      metadata: rsOwner, spec: running ? { nodeName: "node-1" } : {},
      status: running ? { phase: "Running" } : { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable" }] },
    }));
  }
  const svg = renderDiagram(replay(steps), ctx);
  assert.match(svg, /data-object="Deployment\/default\/web"[^]*?24\/50 ready/);
  assert.match(svg, /class="reason"[^>]*>Unschedulable</, "a waiting pod says why");
  assert.match(svg, /\+47 pods: 23 Pending · 24 Running/);
  assert.equal(svg.match(/data-object="Pod\//g)?.length, 3, "three pods drawn, the waiting ones first");
  assert.doesNotMatch(svg, /class="sub"[^>]*>\+\d+</, "nothing overflows the box");
});

test("a controller without a chip of its own takes the eighth chip while it acts, which otherwise counts the others", () => {
  const idle = renderDiagram(empty, ctx);
  assert.match(idle, /class="chip more"[^]*?>\+\d+ more</, "the eighth chip counts the other controllers");
  const step = fixtureStep({ component: "controller-manager", stage: "reconcile", object: { kind: "Job", name: "pi" },
    message: { key: "controller.reconcile", args: { controller: "job-controller", decision: "create 1 pods" } }, detail: { controller: "job-controller" } });
  const svg = renderDiagram({ ...empty, current: step }, ctx);
  assert.match(svg, /class="chip active"[^]*?>job</, "the Job controller lights the eighth chip");
  assert.doesNotMatch(svg, /class="chip more"/);
  const cron = { ...step, detail: { controller: "cronjob-controller" } };
  assert.match(renderDiagram({ ...empty, current: cron }, ctx), /class="chip active"[^]*?>cronjob</, "cronjob is not taken for job");
});

test("a CronJob, its Job and the Job's pod are drawn as one ownership tree", () => {
  const steps = [
    stored("CronJob", "tick", { spec: { schedule: "*/1 * * * *" } }),
    stored("Job", "tick-29000000", { metadata: { ownerReferences: [{ kind: "CronJob", name: "tick", uid: "uid-tick" }] } }),
    stored("Pod", "tick-29000000-abcde", { metadata: { ownerReferences: [{ kind: "Job", name: "tick-29000000", uid: "uid-tick-29000000" }] }, status: { phase: "Succeeded" } }),
  ];
  const svg = renderDiagram(replay(steps), ctx);
  assert.match(svg, /data-object="CronJob\/default\/tick"[^]*data-object="Job\/default\/tick-29000000"[^]*data-object="Pod\/default\/tick-29000000-abcde"/);
});
