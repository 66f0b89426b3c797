// The terminal: a kubectl prompt. Each line runs the real kubectl against the
// sandbox (POST /kubectl) and prints what it printed, columns intact. ↑ and ↓
// walk the history, as in a shell.

import { Lang } from "../i18n/catalog.js";
import { tr } from "../i18n/narrate.js";
import { splitArgs } from "../api/client.js";
import { h } from "./dom.js";

export type RunKubectl = (args: string[]) => Promise<{ stdout: string; stderr: string; exitCode: number }>;

export class Terminal {
  readonly el: HTMLElement;
  private readonly out: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly history: string[] = [];
  private pos = 0;

  constructor(private readonly run: RunKubectl, lang: Lang) {
    this.out = h("pre", { class: "term-out", "aria-live": "polite", tabindex: "0" });
    this.input = h("input", { class: "term-in", type: "text", spellcheck: "false", autocomplete: "off", "aria-label": "kubectl", placeholder: tr("terminalHint", lang) });
    this.input.addEventListener("keydown", (e) => this.key(e));
    this.el = h("section", { class: "terminal" }, this.out, h("label", { class: "prompt" }, h("span", {}, "$ kubectl "), this.input));
  }

  setLang(lang: Lang) { this.input.placeholder = tr("terminalHint", lang); }

  focus() { this.input.focus(); }

  private key(e: KeyboardEvent) {
    e.stopPropagation(); // the app's shortcuts do not apply while typing
    if (e.key === "Enter") {
      const line = this.input.value.trim();
      this.input.value = "";
      if (line) void this.exec(line);
    } else if (e.key === "ArrowUp" && this.pos > 0) {
      this.input.value = this.history[--this.pos];
      e.preventDefault();
    } else if (e.key === "ArrowDown") {
      this.pos = Math.min(this.pos + 1, this.history.length);
      this.input.value = this.history[this.pos] ?? "";
      e.preventDefault();
    }
  }

  async exec(line: string) {
    this.history.push(line);
    this.pos = this.history.length;
    this.print(`$ kubectl ${line}\n`, "cmd");
    try {
      const r = await this.run(splitArgs(line));
      if (r.stdout) this.print(r.stdout.endsWith("\n") ? r.stdout : r.stdout + "\n");
      if (r.stderr) this.print(r.stderr.endsWith("\n") ? r.stderr : r.stderr + "\n", "err");
    } catch (err) {
      this.print(String(err instanceof Error ? err.message : err) + "\n", "err");
    }
  }

  private print(text: string, cls = "") {
    this.out.append(h("span", { class: cls }, text));
    this.out.scrollTop = this.out.scrollHeight;
  }
}
