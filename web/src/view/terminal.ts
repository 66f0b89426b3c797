// The terminal: a kubectl prompt. Each line runs the real kubectl against the
// sandbox (POST /kubectl) and prints what it printed, columns intact, and
// its warnings (kubectl writes a Warning header such as apps/v1beta2's
// deprecation to stderr). ↑ and ↓ walk the history, as in a shell.
//
// Files: `-f NAME` names one of the server's built-in files (the article's
// hello-deployment.yaml and the playground's examples); the server reads it,
// never the disk. `-f -` reads a manifest from the input: Enter on such a
// line, or pasting several lines into the prompt, opens a box for the
// manifest under the prompt, and Ctrl+Enter sends the two together.

import { Lang } from "../i18n/catalog.js";
import { tr } from "../i18n/narrate.js";
import { readsStdin, splitArgs } from "../api/client.js";
import { h } from "./dom.js";

export type RunKubectl = (args: string[], stdin?: string) => Promise<{ stdout: string; stderr: string; exitCode: number }>;

export class Terminal {
  readonly el: HTMLElement;
  private readonly out: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly stdinBox: HTMLElement;
  private readonly stdinLabel: HTMLElement;
  private readonly stdin: HTMLTextAreaElement;
  private readonly runButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly history: string[] = [];
  private pos = 0;
  private pending = ""; // the command line waiting for its manifest

  constructor(private readonly run: RunKubectl, private lang: Lang) {
    this.out = h("pre", { class: "term-out", "aria-live": "polite", tabindex: "0" });
    this.input = h("input", { class: "term-in", type: "text", spellcheck: "false", autocomplete: "off", "aria-label": "kubectl", placeholder: tr("terminalHint", lang) });
    this.input.addEventListener("keydown", (e) => this.key(e));
    this.input.addEventListener("paste", (e) => this.paste(e));
    this.stdinLabel = h("label", { class: "term-stdin-label", for: "term-stdin" });
    this.stdin = h("textarea", { id: "term-stdin", class: "term-stdin-text", spellcheck: "false", rows: "12" });
    this.stdin.addEventListener("keydown", (e) => this.stdinKey(e));
    this.runButton = h("button", { class: "primary small", "data-testid": "term-stdin-run", onclick: () => this.send() }, tr("run", lang));
    this.cancelButton = h("button", { class: "small", onclick: () => this.closeStdin() }, tr("terminalCancel", lang));
    this.stdinBox = h("div", { class: "term-stdin", hidden: true }, this.stdinLabel, this.stdin,
      h("div", { class: "actions" }, this.runButton, this.cancelButton));
    this.el = h("section", { class: "terminal" }, this.out,
      h("div", {}, h("label", { class: "prompt" }, h("span", {}, "$ kubectl "), this.input), this.stdinBox));
  }

  setLang(lang: Lang) {
    this.lang = lang;
    this.input.placeholder = tr("terminalHint", lang);
    this.runButton.textContent = tr("run", lang);
    this.cancelButton.textContent = tr("terminalCancel", lang);
    if (this.pending) this.stdinLabel.textContent = tr("terminalStdin", lang, { command: this.pending });
  }

  focus() { this.input.focus(); }

  private key(e: KeyboardEvent) {
    e.stopPropagation(); // the app's shortcuts do not apply while typing
    if (e.key === "Enter") {
      const line = this.input.value.trim();
      if (!line) return;
      if (readsStdin(splitArgs(line))) {
        this.openStdin(line, "");
        return;
      }
      this.input.value = "";
      void this.exec(line);
    } else if (e.key === "ArrowUp" && this.pos > 0) {
      this.input.value = this.history[--this.pos];
      e.preventDefault();
    } else if (e.key === "ArrowDown") {
      this.pos = Math.min(this.pos + 1, this.history.length);
      this.input.value = this.history[this.pos] ?? "";
      e.preventDefault();
    }
  }

  /** paste: a manifest pasted into the one-line prompt goes to the
   * manifest box, for the line typed so far or for `create -f -`. */
  private paste(e: ClipboardEvent) {
    const text = e.clipboardData?.getData("text/plain") ?? "";
    if (!text.includes("\n")) return;
    e.preventDefault();
    const line = this.input.value.trim();
    this.openStdin(line && readsStdin(splitArgs(line)) ? line : "create -f -", text);
  }

  private openStdin(line: string, text: string) {
    this.pending = line;
    this.input.value = line;
    this.stdinLabel.textContent = tr("terminalStdin", this.lang, { command: line });
    this.stdin.value = text;
    this.stdinBox.hidden = false;
    this.stdin.focus();
  }

  private closeStdin() {
    this.pending = "";
    this.stdinBox.hidden = true;
    this.input.focus();
  }

  private stdinKey(e: KeyboardEvent) {
    e.stopPropagation();
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      this.send();
    } else if (e.key === "Escape") {
      this.closeStdin();
    }
  }

  private send() {
    const line = this.pending, text = this.stdin.value;
    if (!line) return;
    this.input.value = "";
    this.closeStdin();
    void this.exec(line, text);
  }

  async exec(line: string, stdin = "") {
    this.history.push(line);
    this.pos = this.history.length;
    this.print(`$ kubectl ${line.replace(/^kubectl\s+/, "")}\n`, "cmd"); // the prompt already says kubectl
    if (stdin) this.print(stdin.endsWith("\n") ? stdin : stdin + "\n", "stdin");
    try {
      const r = await this.run(splitArgs(line), stdin);
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
