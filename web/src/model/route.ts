// Where a step's message travels on the diagram. A step names only the
// component that took it; the other end follows from how Kubernetes works:
// every component talks only to the API server, and only the API server
// talks to etcd. A request comes from whoever sent it (its user agent names
// the caller), a response goes back to that caller, a watch event goes from
// the API server to the component that watches, a binding or a status report
// goes from its component to the API server.

import { Step } from "./step.js";

/** A part of the diagram: a component, or "kubectl" for the learner. */
export type Part = string;

export interface Route {
  from: Part;
  to: Part;
}

/** isComponentAgent: the user agent of one of the control plane's own
 * components ("kubelet/v1.37.2 (linux/amd64) kubernetes/glassplane system:node:node-1"). */
export function isComponentAgent(ua: string): boolean {
  return /(^|\s)system:|^kube-|^kubelet\/|controller|scheduler/.test(ua);
}

/** callerOf names the part that sent a request, from its user agent. */
export function callerOf(userAgent: string | undefined): Part {
  const ua = userAgent ?? "";
  const node = /system:node:([^\s/]+)/.exec(ua);
  if (node) return "kubelet/" + node[1];
  if (ua.includes("controller-manager") || ua.includes("controller")) return "controller-manager";
  if (ua.includes("scheduler")) return "scheduler";
  return "kubectl";
}

/** route gives the parts a step's message joins; `caller` is the sender of the
 * request the step belongs to, when the step is a response. */
export function route(s: Step, caller?: Part): Route {
  const c = s.component;
  const at = { from: c, to: c };
  switch (s.stage) {
    case "request": {
      const ua = (s.detail as { userAgent?: string } | undefined)?.userAgent;
      return { from: callerOf(ua), to: "apiserver" };
    }
    case "store":
      return { from: "apiserver", to: "etcd" };
    case "watch":
      return c === "apiserver" ? at : { from: "apiserver", to: c };
    case "bind":
      return { from: c, to: "apiserver" };
    case "status":
      return c === "apiserver" ? at : { from: c, to: "apiserver" };
    case "respond":
      return { from: "apiserver", to: caller ?? "kubectl" };
    case "error":
      return c === "apiserver" ? { from: "apiserver", to: caller ?? "kubectl" } : at;
    default:
      return at;
  }
}
