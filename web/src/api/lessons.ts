// The lesson part of the app API (server/lessons.go). The lessons are public;
// progress belongs to the sandbox, whose session cookie the page carries.
//
//	GET  /lessons, /lessons/{id}
//	GET  /sandboxes/{sb}/lessons/{id}/progress        evaluates the current step
//	POST /sandboxes/{sb}/lessons/{id}/start           {"step": n}
//	POST /sandboxes/{sb}/lessons/{id}/steps/{n}/do    "do it for me"
//	POST /sandboxes/{sb}/lessons/{id}/steps/{n}/check evaluates step n now

import { apiRoot } from "./client.js";
import { CheckResult, DoResult, Lesson, LessonSummary, Progress } from "../model/lessons.js";

export class LessonClient {
  constructor(readonly sandbox: string, private readonly fetcher: typeof fetch = (...a) => fetch(...a)) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetcher(apiRoot + path, {
      method, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
    });
    const text = await res.text();
    if (!res.ok) {
      let msg = text;
      try { msg = (JSON.parse(text) as { message?: string }).message ?? text; } catch { /* plain text */ }
      throw new Error(`${res.status}: ${msg}`);
    }
    return JSON.parse(text) as T;
  }

  private of(lesson: string): string {
    return `/sandboxes/${encodeURIComponent(this.sandbox)}/lessons/${encodeURIComponent(lesson)}`;
  }

  list() { return this.call<LessonSummary[]>("GET", "/lessons"); }
  lesson(id: string) { return this.call<Lesson>("GET", `/lessons/${encodeURIComponent(id)}`); }
  progress(id: string) { return this.call<Progress>("GET", `${this.of(id)}/progress`); }
  start(id: string, step = 0) { return this.call<Progress>("POST", `${this.of(id)}/start`, { step }); }
  doStep(id: string, n: number) { return this.call<DoResult>("POST", `${this.of(id)}/steps/${n}/do`); }
  check(id: string, n: number) { return this.call<CheckResult & { progress: Progress }>("POST", `${this.of(id)}/steps/${n}/check`); }
}
