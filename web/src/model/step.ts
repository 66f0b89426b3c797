// A step is one thing one component of the control plane did: the API server
// authenticating a request, etcd storing a key, the scheduler binding a pod.
// This is the JSON the Go side sends (controlplane/steps/step.go). The browser
// never invents steps; it only draws, explains and replays the ones it gets.

export type Stage =
  | "request" | "authenticate" | "authorize" | "admit" | "validate" | "store" | "watch"
  | "reconcile" | "filter" | "score" | "bind" | "pull" | "run" | "status" | "respond" | "error" | "compact";

export type Outcome = "ok" | "denied" | "invalid" | "conflict" | "error" | "waiting";

export interface ObjectRef {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface Message {
  key: string;
  args?: Record<string, string>;
}

export interface Step {
  seq: number;
  trace: string;
  parent: number;
  time: string;
  component: string; // kubectl | apiserver | etcd | controller-manager | scheduler | kubelet/<node>
  stage: Stage | string;
  object: ObjectRef;
  outcome: Outcome | string;
  message: Message;
  detail?: unknown;
}

/** The detail of an etcd store step: what the API server wrote. */
export interface EtcdWrite {
  op: "put" | "delete";
  key: string;
  revision: number;
  value?: string;
}

/** isStep says whether a parsed JSON value has the shape of a step. */
export function isStep(v: unknown): v is Step {
  if (typeof v !== "object" || v === null) return false;
  const s = v as Record<string, unknown>;
  return typeof s.seq === "number" && typeof s.component === "string" && typeof s.stage === "string" &&
    typeof s.message === "object" && s.message !== null;
}

/** etcdWrite reads the detail of a store step, or undefined for any other step. */
export function etcdWrite(s: Step): EtcdWrite | undefined {
  if (s.stage !== "store") return undefined;
  const d = s.detail as Partial<EtcdWrite> | undefined;
  if (!d || typeof d.key !== "string" || typeof d.revision !== "number") return undefined;
  return { op: d.op === "delete" ? "delete" : "put", key: d.key, revision: d.revision, value: d.value };
}

/** nodeOf returns the node of a kubelet component ("kubelet/node-1" → "node-1"). */
export function nodeOf(component: string): string | undefined {
  return component.startsWith("kubelet/") ? component.slice("kubelet/".length) : undefined;
}
