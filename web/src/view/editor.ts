// The playground: a YAML editor (CodeMirror 6) with the examples, and Apply.
// The API server's answer comes back per document; a YAML error or a field
// that failed validation is marked in the editor at its line (a lint
// diagnostic) and explained in words under it.

import { EditorView, basicSetup } from "codemirror";
import { yaml } from "@codemirror/lang-yaml";
import { Diagnostic, lintGutter, setDiagnostics } from "@codemirror/lint";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { tags } from "@lezer/highlight";
import { Compartment } from "@codemirror/state";
import { Lang } from "../i18n/catalog.js";
import { colon, stateName, tr } from "../i18n/narrate.js";
import { ApplyResult } from "../api/client.js";
import { examples, helloDeployment } from "./examples.js";
import { clear, h } from "./dom.js";

// Colours from the page's theme, so both themes keep AA contrast.
const themed = HighlightStyle.define([
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: "var(--accent)" },
  { tag: [tags.string, tags.special(tags.string), tags.content], color: "var(--text)" },
  { tag: [tags.number, tags.bool, tags.null, tags.keyword, tags.atom], color: "var(--warn)" },
  { tag: [tags.comment, tags.meta, tags.punctuation, tags.separator], color: "var(--muted)" },
  { tag: [tags.typeName, tags.labelName, tags.attributeName], color: "var(--ok)" },
]);

export class Playground {
  readonly el: HTMLElement;
  private readonly view: EditorView;
  private readonly label = new Compartment(); // the editor's accessible name, in the page's language
  private readonly results: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly applyBtn: HTMLButtonElement;
  private lang: Lang;

  constructor(private readonly applyYAML: (text: string) => Promise<ApplyResult[]>, lang: Lang, private readonly onTrace: (trace: string, ok: boolean) => void) {
    this.lang = lang;
    const host = h("div", { class: "editor" });
    this.view = new EditorView({ doc: helloDeployment, extensions: [basicSetup, yaml(), syntaxHighlighting(themed), lintGutter(), EditorView.lineWrapping,
      this.label.of(EditorView.contentAttributes.of({ "aria-label": tr("manifestEditor", lang) }))], parent: host });
    this.select = h("select", { "aria-label": tr("examples", lang), onchange: () => this.load(this.select.value) });
    this.applyBtn = h("button", { class: "primary", onclick: () => void this.apply() }, tr("apply", lang));
    this.results = h("div", { class: "results", "aria-live": "polite" });
    this.fillExamples();
    this.el = h("section", { class: "playground" }, h("div", { class: "bar" }, this.select, this.applyBtn), host, this.results);
  }

  setLang(lang: Lang) {
    this.lang = lang;
    this.applyBtn.textContent = tr("apply", lang);
    this.view.dispatch({ effects: this.label.reconfigure(EditorView.contentAttributes.of({ "aria-label": tr("manifestEditor", lang) })) });
    this.fillExamples();
  }

  private fillExamples() {
    const v = this.select.value;
    clear(this.select);
    for (const e of examples) this.select.append(h("option", { value: e.id }, this.lang === "en" ? e.en : e.zh));
    this.select.value = v || "hello";
  }

  private load(id: string) {
    const e = examples.find((x) => x.id === id);
    if (!e) return;
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: e.yaml } });
    this.view.dispatch(setDiagnostics(this.view.state, []));
    clear(this.results);
  }

  async apply() {
    clear(this.results);
    this.applyBtn.disabled = true;
    try {
      const results = await this.applyYAML(this.view.state.doc.toString());
      this.show(results);
    } catch (err) {
      this.results.append(h("p", { class: "bad" }, String(err instanceof Error ? err.message : err)));
    } finally {
      this.applyBtn.disabled = false;
    }
  }

  private show(results: ApplyResult[]) {
    const doc = this.view.state.doc;
    const diags: Diagnostic[] = [];
    const lineAt = (n: number) => doc.line(Math.max(1, Math.min(n, doc.lines)));
    for (const r of results) {
      // A document that could not be read has no kind yet: name it by its line.
      const what = r.kind ? `${r.kind} ${r.name ?? ""}`.trim() : tr("documentAt", this.lang, { line: String(r.errorLine || r.line || 1) });
      for (const w of r.warnings ?? []) this.results.append(h("p", { class: "warn", "data-testid": "apply-warning" }, `Warning: ${w}`));
      if (r.outcome !== "error") {
        this.results.append(h("p", { class: "ok" }, `✓ ${what} ${stateName(r.outcome, this.lang)}`));
        if (r.trace) this.onTrace(r.trace, true);
        continue;
      }
      const msg = r.status?.message ?? "error";
      const causes = r.status?.details?.causes ?? [];
      this.results.append(h("p", { class: "bad" }, `✗ ${what}${colon(this.lang)}${msg}`));
      const extra = causes.filter((c) => c.message && !msg.includes(c.message));
      if (extra.length) this.results.append(h("ul", {}, ...extra.map((c) => h("li", {}, `${c.field ?? ""}: ${c.message ?? ""}`))));
      const lines = r.causeLines?.length ? r.causeLines.map((l, i) => [l, causes[i]?.message ?? msg] as const) : [[r.errorLine || r.line || 1, msg] as const];
      for (const [n, m] of lines) {
        const line = lineAt(n || r.line || 1);
        diags.push({ from: line.from, to: line.to, severity: "error", message: m });
      }
      if (r.trace) this.onTrace(r.trace, false);
    }
    this.view.dispatch(setDiagnostics(this.view.state, diags));
  }
}
