// The etcd pane: every key the steps showed being written, as a tree under
// /registry/, each with its revisions. It shows etcd as of the current step,
// so scrubbing back in time shows the keys as they were; the key written by
// the current step flashes.

import { ModelState } from "../model/cluster.js";
import { prettyValue } from "../model/yaml.js";
import { Lang } from "../i18n/catalog.js";
import { tr } from "../i18n/narrate.js";
import { h } from "./dom.js";

interface Dir { name: string; dirs: Map<string, Dir>; keys: string[] }

export function renderEtcd(st: ModelState, lang: Lang, open: Set<string>, onToggle: (key: string) => void): HTMLElement {
  const wrap = h("section", { class: "etcd" }, h("h3", {}, tr("keysAt", lang, { revision: String(st.revision) })));
  const keys = Object.keys(st.etcd).sort();
  if (keys.length === 0) {
    wrap.append(h("p", { class: "muted" }, tr("noKeys", lang)));
    return wrap;
  }
  const root: Dir = { name: "", dirs: new Map(), keys: [] };
  for (const k of keys) {
    const i = k.indexOf("/registry/");
    const rel = i >= 0 ? k.slice(i + "/registry/".length) : k;
    const parts = rel.split("/");
    let d = root;
    for (const p of parts.slice(0, Math.min(parts.length - 1, 2))) {
      if (!d.dirs.has(p)) d.dirs.set(p, { name: p, dirs: new Map(), keys: [] });
      d = d.dirs.get(p)!;
    }
    d.keys.push(k);
  }
  const cur = st.current?.stage === "store" ? (st.current.detail as { key?: string })?.key : undefined;
  const renderDir = (d: Dir, path: string): HTMLElement => {
    const ul = h("ul", { class: "tree" });
    for (const [name, sub] of [...d.dirs].sort()) {
      const p = path + name + "/";
      const det = h("details", {}, h("summary", {}, p), renderDir(sub, p));
      det.open = true;
      ul.append(h("li", {}, det));
    }
    for (const k of d.keys) {
      const e = st.etcd[k];
      const last = e.revisions[e.revisions.length - 1];
      const name = k.slice(k.lastIndexOf("/") + 1);
      const deleted = last.op === "delete";
      const revs = e.revisions.map((r) => (r.op === "delete" ? `✕${r.revision}` : String(r.revision))).join(" → ");
      const li = h("li", { class: `key${k === cur ? " flash" : ""}${deleted ? " deleted" : ""}` });
      const btn = h("button", { class: "keybtn", "aria-expanded": String(open.has(k)), onclick: () => onToggle(k) },
        h("span", { class: "keyname" }, name), h("span", { class: "revs" }, `${tr("revision", lang)} ${revs}`));
      li.append(btn);
      if (open.has(k)) li.append(h("pre", { class: "code", tabindex: "0" }, deleted ? "(deleted)" : prettyValue(last.value)));
      ul.append(li);
    }
    return ul;
  };
  wrap.append(h("div", { class: "root" }, "/registry/"), renderDir(root, "/registry/"));
  return wrap;
}
