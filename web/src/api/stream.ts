// The step stream: one websocket that brings the history after a seq, in
// pages, then {"type":"live"} (the history is all here), then live batches. It never loses a step: it remembers the last seq it
// delivered, and after a drop, or when the server says the client fell behind
// ({"type":"gap"}), it reconnects with ?since=that seq, waiting a little
// longer after each failure (backoff) and resetting the wait once connected.

import { Step } from "../model/step.js";
import { ComponentStatus, Pacer } from "./client.js";

export type StreamStatus = "connecting" | "open" | "closed";

export interface StreamHandlers {
  steps(steps: Step[]): void;
  pacer?(p: Pacer): void;
  components?(c: ComponentStatus[]): void;
  /** The history is all delivered; what follows happens now. */
  live?(): void;
  status?(s: StreamStatus): void;
}

/** The part of WebSocket the stream uses, so tests can give a fake. */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}

export interface StreamOptions {
  url(since: number): string;
  connect(url: string): SocketLike;
  setTimer?(fn: () => void, ms: number): unknown;
  clearTimer?(t: unknown): void;
  minDelay?: number;
  maxDelay?: number;
}

export class StepStream {
  lastSeq: number;
  private sock: SocketLike | null = null;
  private timer: unknown = null;
  private delay: number;
  private stopped = false;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (t: unknown) => void;

  constructor(private readonly opts: StreamOptions, private readonly on: StreamHandlers, since = 0) {
    this.lastSeq = since;
    this.delay = opts.minDelay ?? 500;
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    const s = this.sock;
    this.sock = null;
    if (s) { s.onclose = null; s.onmessage = null; s.close(); } // a stopped stream delivers nothing more
    this.on.status?.("closed");
  }

  private open(): void {
    this.on.status?.("connecting");
    const sock = this.opts.connect(this.opts.url(this.lastSeq));
    this.sock = sock;
    sock.onopen = () => {
      this.delay = this.opts.minDelay ?? 500;
      this.on.status?.("open");
    };
    sock.onmessage = (ev) => this.message(ev.data);
    sock.onerror = () => { /* onclose follows */ };
    sock.onclose = () => {
      if (this.sock !== sock) return;
      this.sock = null;
      this.retry();
    };
  }

  private retry(): void {
    if (this.stopped) return;
    this.on.status?.("closed");
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, this.opts.maxDelay ?? 10000);
    this.timer = this.setTimer(() => {
      this.timer = null;
      if (!this.stopped) this.open();
    }, wait);
  }

  private message(data: unknown): void {
    if (typeof data !== "string") return;
    let m: { type?: string; steps?: Step[]; since?: number; pacer?: Pacer; components?: ComponentStatus[] };
    try { m = JSON.parse(data); } catch { return; }
    switch (m.type) {
      case "steps": {
        const fresh = (m.steps ?? []).filter((s) => s.seq > this.lastSeq);
        if (fresh.length === 0) return;
        this.lastSeq = fresh[fresh.length - 1].seq;
        this.on.steps(fresh);
        return;
      }
      case "gap": {
        // The server dropped us; resume from what we have (never skip ahead).
        const s = this.sock;
        this.sock = null;
        if (s) { s.onclose = null; s.close(); }
        this.delay = this.opts.minDelay ?? 500;
        this.retry();
        return;
      }
      case "live":
        this.on.live?.();
        return;
      case "pacer":
        if (m.pacer) this.on.pacer?.(m.pacer);
        return;
      case "components":
        if (m.components) this.on.components?.(m.components);
        return;
    }
  }
}
