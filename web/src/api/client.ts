// The client of Glassplane's app API (/glassplane/v1, same origin). A local
// page carries the sandbox's session cookie, so requests need no token.

import { Step } from "../model/step.js";
import { TraceDetail, TraceSummary } from "../model/story.js";
import { ClassroomAnswer, RosterEntry } from "../model/classroom.js";

export interface Pacer {
  mode: "live" | "slow" | "step";
  delayMs: number;
  breakpoints: { component: string; stage?: string; kind?: string }[];
  paused: string[];
  waiting?: Step[];
  /** Counts the pacer's changes: of two states, the higher is newer. */
  version?: number;
}

/** SnapshotInfo is one saved state of the sandbox's etcd keys. */
export interface SnapshotInfo {
  name: string;
  revision: number;
  taken: string;
  keys: number;
  objects: Record<string, number>;
}

export interface RestoreResult {
  snapshot: SnapshotInfo;
  revision: number;
  written: string[];
  deleted: string[];
}

export interface ComponentStatus {
  name: string;
  running: boolean;
  error?: string;
  // An etcd member (etcd-1 …) also says what Raft makes it.
  role?: "leader" | "follower" | "candidate";
  term?: number;
  appliedIndex?: number;
  leader?: string;
}

export interface StatusCause { field?: string; message?: string; reason?: string }

export interface ApplyResult {
  index: number;
  line: number;
  kind?: string;
  name?: string;
  namespace?: string;
  outcome: "created" | "configured" | "unchanged" | "error";
  trace?: string;
  status?: { message?: string; reason?: string; code?: number; details?: { causes?: StatusCause[] } };
  errorLine?: number;
  causeLines?: number[];
  warnings?: string[]; // the API server's Warning headers (apps/v1beta2 is converted with one)
}

export interface KubectlResult { stdout: string; stderr: string; exitCode: number }

export interface EtcdKeyValue { key: string; createRevision: number; modRevision: number; version: number; value: string }

export const apiRoot = "/glassplane/v1";

export class Client {
  constructor(readonly sandbox: string, private readonly fetcher: typeof fetch = (...a) => fetch(...a)) {}

  private url(path: string): string {
    return `${apiRoot}/sandboxes/${encodeURIComponent(this.sandbox)}${path}`;
  }

  private async call<T>(method: string, path: string, body?: BodyInit, type = "application/json",
    answers: (status: number, text: string) => boolean = () => false): Promise<T> {
    const res = await this.fetcher(this.url(path), {
      method, body, credentials: "same-origin", headers: body === undefined ? {} : { "Content-Type": type },
    });
    const text = await res.text();
    if (!res.ok && !answers(res.status, text)) {
      let msg = text;
      try { msg = (JSON.parse(text) as { message?: string }).message ?? text; } catch { /* plain text */ }
      throw new Error(`${res.status}: ${msg}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  streamURL(since: number, base: Location | URL): string {
    const proto = base.protocol === "https:" ? "wss:" : "ws:";
    return `${proto}//${base.host}${this.url(`/stream?since=${since}`)}`;
  }

  steps(since: number, limit = 10000) { return this.call<Step[]>("GET", `/steps?since=${since}&limit=${limit}`); }
  // apply answers 207 when some documents failed and a 4xx when all did;
  // either way the body holds every document's result, which the editor shows.
  apply(yaml: string) {
    return this.call<{ results: ApplyResult[] }>("POST", "/apply", yaml, "application/yaml", (status, text) => status >= 400 && status < 500 && hasResults(text));
  }
  kubectl(args: string[], stdin = "") { return this.call<KubectlResult>("POST", "/kubectl", JSON.stringify({ args, stdin })); }
  traces() { return this.call<TraceSummary[]>("GET", "/traces"); }
  trace(id: string) { return this.call<TraceDetail>("GET", `/traces/${encodeURIComponent(id)}`); }
  pacer() { return this.call<Pacer>("GET", "/pacer"); }
  setPacer(p: Partial<Pacer>) { return this.call<Pacer>("PUT", "/pacer", JSON.stringify(p)); }
  next() { return this.call<{ released: boolean; pacer: Pacer }>("POST", "/pacer/next"); }
  components() { return this.call<ComponentStatus[]>("GET", "/components"); }
  component(name: string, action: "stop" | "start") {
    return this.call<ComponentStatus[]>("POST", `/components/${encodeURIComponent(name)}/${action}`);
  }
  /** etcd reads the sandbox's keys (under prefix), at revision if given. */
  etcd(prefix?: string, revision?: number) {
    const q = new URLSearchParams();
    if (prefix) q.set("prefix", prefix);
    if (revision) q.set("revision", String(revision));
    const qs = q.toString();
    return this.call<{ revision: number; keys: EtcdKeyValue[]; more: boolean }>("GET", `/etcd${qs ? `?${qs}` : ""}`);
  }
  snapshots() { return this.call<SnapshotInfo[]>("GET", "/snapshots"); }
  saveSnapshot() { return this.call<SnapshotInfo>("POST", "/snapshots"); }
  restoreSnapshot(name: string) { return this.call<RestoreResult>("POST", `/snapshots/${encodeURIComponent(name)}/restore`); }
  async lessons(): Promise<{ id: string; title: Record<string, string> }[]> {
    const res = await this.fetcher(`${apiRoot}/lessons`, { credentials: "same-origin" });
    if (!res.ok) return [];
    return (await res.json()) as { id: string; title: Record<string, string> }[];
  }
}

/** classroom asks the server what the class asks of this page (model/classroom.ts). */
export async function classroom(fetcher: typeof fetch = (...a) => fetch(...a)): Promise<ClassroomAnswer> {
  const res = await fetcher(`${apiRoot}/classroom`, { credentials: "same-origin" });
  if (!res.ok) throw new Error(`${res.status}: ${await res.text()}`);
  return (await res.json()) as ClassroomAnswer;
}

/** roster reads the class's roster (a teacher's session only). */
export async function roster(fetcher: typeof fetch = (...a) => fetch(...a)): Promise<RosterEntry[]> {
  const res = await fetcher(`${apiRoot}/classroom/roster`, { credentials: "same-origin" });
  if (!res.ok) throw new Error(`${res.status}: ${await res.text()}`);
  return (await res.json()) as RosterEntry[];
}

/** splitArgs splits a command line the way a shell would for simple cases:
 * whitespace separates, quotes group, a leading "kubectl" is dropped. */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2] ?? m[3]);
  if (out[0] === "kubectl") out.shift();
  return out;
}

/** readsStdin says whether kubectl's words read the manifest from its input
 * (-f -, in any of its spellings). */
export function readsStdin(args: string[]): boolean {
  return args.some((a, i) => a === "-f-" || a === "-f=-" || a === "--filename=-" ||
    (a === "-" && (args[i - 1] === "-f" || args[i - 1] === "--filename")));
}

function hasResults(text: string): boolean {
  try { return Array.isArray((JSON.parse(text) as { results?: unknown }).results); } catch { return false; }
}
