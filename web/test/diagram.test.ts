import { test } from "node:test";
import assert from "node:assert/strict";
import { empty } from "../src/model/cluster.js";
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
