// "Read the code": the function in Glassplane's Go source that took each kind
// of step, by package and function name (never a line number, which moves).

import { Step } from "./step.js";

export interface CodeRef {
  pkg: string; // Go package path under the module
  func: string;
}

const table: Record<string, CodeRef> = {
  "apiserver/request": { pkg: "controlplane/apiserver", func: "(*Server).handleResource" },
  "apiserver/authenticate": { pkg: "controlplane/apiserver", func: "(*Server).authenticate" },
  "apiserver/authorize": { pkg: "controlplane/apiserver", func: "(*Server).authorize" },
  "apiserver/admit": { pkg: "controlplane/apiserver", func: "(*Server).admit" },
  "apiserver/validate": { pkg: "controlplane/apiserver", func: "(*Server).validate" },
  "apiserver/respond": { pkg: "controlplane/apiserver", func: "(*Server).respond" },
  "apiserver/error": { pkg: "controlplane/apiserver", func: "(*Server).fail" },
  "apiserver/watch": { pkg: "controlplane/apiserver", func: "(*Server).watch" },
  "etcd/store": { pkg: "controlplane/apiserver/registry", func: "(*Store).recordWrite" },
  "etcd/compact": { pkg: "controlplane/etcd", func: "compactRound" },
  "controller-manager/watch": { pkg: "controlplane/controllers/trace", func: "WatchStep" },
  "controller-manager/reconcile": { pkg: "controlplane/controllers/trace", func: "ReconcileStep" },
  "scheduler/watch": { pkg: "controlplane/scheduler", func: "(*Scheduler).podAdded" },
  "scheduler/filter": { pkg: "controlplane/scheduler", func: "(*Scheduler).scheduleOne" },
  "scheduler/score": { pkg: "controlplane/scheduler", func: "(*Scheduler).score" },
  "scheduler/bind": { pkg: "controlplane/scheduler", func: "(*Scheduler).bind" },
  "scheduler/error": { pkg: "controlplane/scheduler", func: "(*Scheduler).handleFailure" },
  "scheduler/status": { pkg: "controlplane/scheduler", func: "(*Scheduler).setUnschedulable" },
  "kubelet/watch": { pkg: "controlplane/kubelet", func: "(*podWorkers).watched" },
  "kubelet/pull": { pkg: "controlplane/kubelet", func: "(*podWorkers).ensureImage" },
  "kubelet/run": { pkg: "controlplane/kubelet", func: "(*podWorkers).startContainer" },
  "kubelet/status": { pkg: "controlplane/kubelet", func: "(*podWorkers).writeStatus" },
};

/** Controllers by the name their steps give, to the sync function a learner should read. */
const controllers: Record<string, CodeRef> = {
  "deployment-controller": { pkg: "controlplane/controllers/deployment", func: "(*Controller).syncDeployment" },
  "replicaset-controller": { pkg: "controlplane/controllers/replicaset", func: "(*Controller).syncReplicaSet" },
  "job-controller": { pkg: "controlplane/controllers/job", func: "(*Controller).syncJob" },
  "cronjob-controller": { pkg: "controlplane/controllers/cronjob", func: "(*Controller).syncCronJob" },
  "ttl-after-finished-controller": { pkg: "controlplane/controllers/ttlafterfinished", func: "(*Controller).syncJob" },
  "daemonset-controller": { pkg: "controlplane/controllers/daemonset", func: "(*Controller).syncDaemonSet" },
  "statefulset-controller": { pkg: "controlplane/controllers/statefulset", func: "(*Controller).syncStatefulSet" },
  "replicationcontroller-controller": { pkg: "controlplane/controllers/replicaset", func: "(*Controller).syncReplicaSet" },
  "persistentvolume-binder-controller": { pkg: "controlplane/controllers/persistentvolume", func: "(*Controller).syncClaim" },
  "horizontal-pod-autoscaler": { pkg: "controlplane/controllers/podautoscaler", func: "(*Controller).reconcileAutoscaler" },
};

/** codeFor names the Go function behind a step. */
export function codeFor(s: Step): CodeRef | undefined {
  const comp = s.component.startsWith("kubelet/") ? "kubelet" : s.component;
  if (comp === "kubelet" && s.stage === "status" && s.object?.kind === "Node") {
    return { pkg: "controlplane/kubelet", func: s.message?.key === "kubelet.node.registered" ? "(*Kubelet).registerNode" : "(*Kubelet).reportNodeStatus" };
  }
  if (comp === "controller-manager" && s.stage === "reconcile") {
    const c = (s.detail as { controller?: string } | undefined)?.controller ?? s.message?.args?.controller ?? "";
    if (controllers[c]) return controllers[c];
  }
  return table[`${comp}/${s.stage}`];
}

/** codeText is the reference as a learner would search for it. */
export function codeText(r: CodeRef): string {
  return `${r.pkg}.${r.func}`;
}
