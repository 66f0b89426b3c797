// The model: what the learner's cluster looks like after a given number of
// steps. `apply(state, step)` is a pure reducer — it never changes the state
// it is given, it returns a new one that shares everything it did not touch
// (so the timeline can keep old states as checkpoints for free).
//
// What the model knows comes only from steps:
//   - objects come from etcd store steps, whose detail carries the JSON the
//     API server wrote, exactly as etcd holds it. From it we read owner
//     references (Deployment → ReplicaSet → Pod), the node a pod is bound to
//     and its phase;
//   - etcd keys and their revisions come from the same steps;
//   - components' last actions come from every step;
//   - open requests (request seen, response not yet) let a response travel
//     back to the caller that sent it.

import { Step, etcdWrite, nodeOf } from "./step.js";
import { Part, callerOf, route, Route } from "./route.js";

export interface OwnerRef {
  kind: string;
  name: string;
  uid: string;
}

/** ClusterObject is one Kubernetes object as etcd last stored it. */
export interface ClusterObject {
  key: string; // kind/namespace/name
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  resourceVersion: string;
  owners: OwnerRef[];
  node?: string; // spec.nodeName of a pod
  phase?: string; // status.phase of a pod; "Terminating" when its deletion began
  ready?: boolean; // a node's Ready condition
  unschedulable?: boolean; // a node's spec.unschedulable (cordoned)
  reason?: string; // why a pod is not running yet: Unschedulable, ContainerCreating, ErrImagePull…
  replicas?: { ready: number; desired: number }; // a Deployment's or ReplicaSet's ready and wanted pods
  etcdKey: string;
  value: string; // the stored JSON
  lastSeq: number; // the step that wrote this version
  deleted: boolean;
}

export interface Revision {
  revision: number;
  op: "put" | "delete";
  seq: number;
  value?: string;
}

/** EtcdKey is one key with every revision the steps showed being written. */
export interface EtcdKey {
  key: string;
  revisions: Revision[]; // oldest first
}

export interface ComponentActivity {
  name: string;
  lastSeq: number;
  stage: string;
  outcome: string;
}

export interface ModelState {
  count: number; // steps applied
  current: Step | null;
  route: Route | null;
  components: Readonly<Record<string, ComponentActivity>>;
  objects: Readonly<Record<string, ClusterObject>>;
  etcd: Readonly<Record<string, EtcdKey>>;
  revision: number;
  openRequests: Readonly<Record<number, Part>>; // request seq → caller
  nodes: readonly string[]; // every node seen (registered or named by a kubelet)
}

export const empty: ModelState = Object.freeze({
  count: 0, current: null, route: null, components: {}, objects: {}, etcd: {}, revision: 0,
  openRequests: {}, nodes: [],
});

/** apply returns the state after step s. */
export function apply(state: ModelState, s: Step): ModelState {
  const next: ModelState = { ...state, count: state.count + 1, current: s };
  const caller = s.stage === "respond" || s.stage === "error" ? state.openRequests[s.parent] : undefined;
  next.route = route(s, caller);
  next.components = { ...state.components, [s.component]: { name: s.component, lastSeq: s.seq, stage: s.stage, outcome: s.outcome } };
  if (s.component === "apiserver" && s.stage === "request") {
    const ua = (s.detail as { userAgent?: string } | undefined)?.userAgent;
    next.openRequests = { ...state.openRequests, [s.seq]: callerOf(ua) };
  } else if (caller !== undefined) {
    const open = { ...state.openRequests };
    delete open[s.parent];
    next.openRequests = open;
  }
  const node = nodeOf(s.component);
  if (node && !state.nodes.includes(node)) next.nodes = [...state.nodes, node].sort();
  const w = etcdWrite(s);
  if (w) {
    const old = state.etcd[w.key];
    const rev: Revision = { revision: w.revision, op: w.op, seq: s.seq, value: w.value };
    next.etcd = { ...state.etcd, [w.key]: { key: w.key, revisions: [...(old?.revisions ?? []), rev] } };
    next.revision = Math.max(state.revision, w.revision);
    const obj = objectFromWrite(s, w.key, w.op, w.value, state);
    if (obj) {
      next.objects = { ...state.objects, [obj.key]: obj };
      if (obj.kind === "Node" && !next.nodes.includes(obj.name)) next.nodes = [...next.nodes, obj.name].sort();
    }
  }
  return next;
}

/** StoredKey is one key as etcd holds it (the etcd pane's answer). */
export interface StoredKey { key: string; modRevision: number; value: string }

/** baseline is the model of what etcd held at revision, before any step the
 * page has: where a page starts when the server no longer remembers the
 * steps that made the oldest objects (a reload after a long session). */
export function baseline(keys: readonly StoredKey[], revision: number): ModelState {
  const none: Step = { seq: 0, trace: "", parent: 0, time: "", component: "etcd", stage: "store", object: {}, outcome: "ok", message: { key: "" } };
  let st: ModelState = { ...empty, revision };
  const objects: Record<string, ClusterObject> = {};
  const etcd: Record<string, EtcdKey> = {};
  const nodes: string[] = [];
  for (const k of keys) {
    etcd[k.key] = { key: k.key, revisions: [{ revision: k.modRevision, op: "put", seq: 0, value: k.value }] };
    const obj = objectFromWrite(none, k.key, "put", k.value, st);
    if (!obj) continue;
    obj.resourceVersion = obj.resourceVersion || String(k.modRevision);
    objects[obj.key] = obj;
    if (obj.kind === "Node") nodes.push(obj.name);
  }
  st = { ...st, objects, etcd, nodes: nodes.sort() };
  return st;
}

/** replay applies steps in order from state (default: the empty cluster). */
export function replay(steps: readonly Step[], state: ModelState = empty): ModelState {
  let st = state;
  for (const s of steps) st = apply(st, s);
  return st;
}

export function objectKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ""}/${name}`;
}

interface StoredMeta {
  kind?: string;
  metadata?: {
    name?: string; namespace?: string; uid?: string; resourceVersion?: string; deletionTimestamp?: string;
    ownerReferences?: { kind: string; name: string; uid: string }[];
  };
  spec?: { nodeName?: string; unschedulable?: boolean; replicas?: number };
  status?: {
    phase?: string; readyReplicas?: number;
    conditions?: { type: string; status: string; reason?: string }[];
    containerStatuses?: { state?: { waiting?: { reason?: string }; terminated?: { reason?: string } } }[];
  };
}

/** waitingReason says why a pod that is not running waits: the scheduler's
 * Unschedulable, or a container's waiting or terminated reason. */
function waitingReason(stored: StoredMeta): string | undefined {
  const st = stored.status;
  if (!st || st.phase === "Running" || st.phase === "Succeeded") return undefined;
  const scheduled = st.conditions?.find((c) => c.type === "PodScheduled");
  if (scheduled?.status === "False" && scheduled.reason) return scheduled.reason;
  for (const c of st.containerStatuses ?? []) {
    const r = c.state?.waiting?.reason ?? c.state?.terminated?.reason;
    if (r) return r;
  }
  return undefined;
}

function objectFromWrite(s: Step, etcdKey: string, op: "put" | "delete", value: string | undefined, state: ModelState): ClusterObject | undefined {
  let stored: StoredMeta = {};
  if (value) {
    try {
      stored = JSON.parse(value) as StoredMeta;
    } catch {
      stored = {};
    }
  }
  const m = stored.metadata ?? {};
  const kind = stored.kind ?? s.object.kind ?? "";
  const name = m.name ?? s.object.name ?? "";
  if (!kind || !name) return undefined;
  const namespace = m.namespace ?? s.object.namespace ?? "";
  const key = objectKey(kind, namespace, name);
  const prev = state.objects[key];
  if (op === "delete") {
    return prev ? { ...prev, deleted: true, lastSeq: s.seq } : undefined;
  }
  const obj: ClusterObject = {
    key, kind, namespace, name, etcdKey,
    uid: m.uid ?? s.object.uid ?? "",
    resourceVersion: m.resourceVersion ?? String((s.detail as { revision?: number })?.revision ?? ""),
    owners: (m.ownerReferences ?? []).map((o) => ({ kind: o.kind, name: o.name, uid: o.uid })),
    value: value ?? "", lastSeq: s.seq, deleted: false,
  };
  if (kind === "Pod") {
    obj.node = stored.spec?.nodeName || undefined;
    obj.phase = m.deletionTimestamp ? "Terminating" : stored.status?.phase ?? "Pending";
  }
  if (kind === "Pod" && !m.deletionTimestamp) obj.reason = waitingReason(stored);
  if (kind === "Deployment" || kind === "ReplicaSet" || kind === "StatefulSet") {
    obj.replicas = { ready: stored.status?.readyReplicas ?? 0, desired: stored.spec?.replicas ?? 1 };
  }
  if (kind === "Node") {
    obj.ready = stored.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
    obj.unschedulable = stored.spec?.unschedulable === true;
  }
  return obj;
}
