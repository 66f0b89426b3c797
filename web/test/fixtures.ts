// Steps written by hand from the step schema, shaped like what the Go side
// records for `kubectl apply -f hello-deployment.yaml` (only the steps the
// tests need). Not used by the app.

import { Step } from "../src/model/step.js";

let seq = 0;
export function resetSeq(n = 0) { seq = n; }

export function step(p: Partial<Step> & { component: string; stage: string }): Step {
  seq++;
  return {
    seq, trace: "t1", parent: 0, time: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, seq)).toISOString(),
    object: {}, outcome: "ok", message: { key: `${p.component}.${p.stage}` }, ...p,
  };
}

export function stored(kind: string, name: string, extra: Record<string, unknown> = {}, rev = seq + 1): Step {
  const resource = kind.toLowerCase() + "s";
  const key = `/registry/${resource}/default/${name}`;
  const obj = { kind, apiVersion: "v1", metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: String(rev), ...(extra.metadata as object ?? {}) }, ...extra };
  (obj as Record<string, unknown>).metadata = { name, namespace: "default", uid: `uid-${name}`, resourceVersion: String(rev), ...(extra.metadata as object ?? {}) };
  return step({
    component: "etcd", stage: "store", object: { kind, name, namespace: "default", uid: `uid-${name}` },
    message: { key: "etcd.put", args: { key, revision: String(rev) } },
    detail: { op: "put", key, revision: rev, value: JSON.stringify(obj) },
  });
}

const owner = (kind: string, name: string) => ({ metadata: { ownerReferences: [{ kind, name, uid: `uid-${name}` }] } });

/** helloSteps: the deployment, its replica set and pod, scheduled to node-2 and running. */
export function helloSteps(): Step[] {
  resetSeq();
  const req = step({ component: "apiserver", stage: "request", detail: { method: "POST", verb: "create", userAgent: "kubectl/v1.32" }, message: { key: "apiserver.request", args: { verb: "create", resource: "deployments.apps" } } });
  return [
    req,
    step({ component: "apiserver", stage: "authenticate", parent: req.seq, message: { key: "apiserver.authenticate.ok", args: { user: "admin" } } }),
    stored("Deployment", "hello"),
    step({ component: "apiserver", stage: "respond", parent: req.seq, message: { key: "apiserver.respond", args: { code: "201", text: "Created" } } }),
    step({ component: "controller-manager", stage: "reconcile", message: { key: "controller.reconcile", args: { controller: "deployment-controller", decision: "create ReplicaSet hello-1" } } }),
    stored("ReplicaSet", "hello-1", owner("Deployment", "hello")),
    stored("Pod", "hello-1-abc", { ...owner("ReplicaSet", "hello-1"), status: { phase: "Pending" } }),
    step({ component: "scheduler", stage: "bind", object: { kind: "Pod", name: "hello-1-abc" }, message: { key: "scheduler.bind", args: { pod: "default/hello-1-abc", node: "node-2" } } }),
    stored("Pod", "hello-1-abc", { ...owner("ReplicaSet", "hello-1"), spec: { nodeName: "node-2" }, status: { phase: "Pending" } }),
    step({ component: "kubelet/node-2", stage: "run", object: { kind: "Pod", name: "hello-1-abc" }, message: { key: "kubelet.pod.started", args: { container: "my-pod", image: "x" } } }),
    stored("Pod", "hello-1-abc", { ...owner("ReplicaSet", "hello-1"), spec: { nodeName: "node-2" }, status: { phase: "Running" } }),
  ];
}
