// The ownership tree the diagram draws: a Deployment owns ReplicaSets, a
// ReplicaSet owns Pods, a CronJob owns Jobs that own Pods (metadata.ownerReferences,
// which the controllers set).
// Objects whose owner is not known (a bare Pod, a Service) are roots. An
// object of any other kind that owns a workload object is drawn too, as its
// root: a custom resource an operator turned into a Deployment (a Website)
// belongs in the picture of what it made.

import { ClusterObject, ModelState } from "./cluster.js";

export interface TreeNode {
  object: ClusterObject;
  children: TreeNode[];
}

/** Kinds the diagram draws as workload objects. */
export const workloadKinds = ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "CronJob", "Job", "ReplicationController", "Pod", "Service"];

/** ownershipTree returns the live workload objects of a namespace-less view,
 * roots first, each with the objects it owns. */
export function ownershipTree(state: ModelState, kinds: readonly string[] = workloadKinds): TreeNode[] {
  const all = Object.values(state.objects).filter((o) => !o.deleted);
  const workloads = all.filter((o) => kinds.includes(o.kind));
  const owning = new Set(workloads.flatMap((o) => o.owners.map((r) => r.uid)));
  const live = all.filter((o) => kinds.includes(o.kind) || owning.has(o.uid));
  const byUid = new Map(live.map((o) => [o.uid, o]));
  const nodes = new Map(live.map((o) => [o.key, { object: o, children: [] as TreeNode[] }]));
  const roots: TreeNode[] = [];
  for (const o of live) {
    const owner = o.owners.map((r) => byUid.get(r.uid)).find((x) => x !== undefined);
    const n = nodes.get(o.key)!;
    if (owner) nodes.get(owner.key)!.children.push(n);
    else roots.push(n);
  }
  const order = (a: TreeNode, b: TreeNode) =>
    kinds.indexOf(a.object.kind) - kinds.indexOf(b.object.kind) || a.object.name.localeCompare(b.object.name);
  const sortRec = (ns: TreeNode[]) => {
    ns.sort(order);
    ns.forEach((n) => sortRec(n.children));
  };
  sortRec(roots);
  return roots;
}

/** podsOn returns the live pods bound to a node. */
export function podsOn(state: ModelState, node: string): ClusterObject[] {
  return Object.values(state.objects)
    .filter((o) => o.kind === "Pod" && !o.deleted && o.node === node)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** versionsOf returns every stored version of an object's etcd key up to the
 * state, oldest first (the inspector diffs the last two). */
export function versionsOf(state: ModelState, o: ClusterObject) {
  return state.etcd[o.etcdKey]?.revisions ?? [];
}
