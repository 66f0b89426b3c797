// The etcd pane: every key the steps showed being written, as a tree under
// /registry/, each with its revisions. It shows etcd as of the current step,
// so scrubbing back in time shows the keys as they were; the key written by
// the current step flashes. Above the keys, the sandbox's snapshots: save
// the keys as they are now, restore a saved state (controlplane/snapshots.go).

import { SnapshotInfo } from "../api/client.js";
import { ModelState } from "../model/cluster.js";
import { prettyValue } from "../model/yaml.js";
import { Lang } from "../i18n/catalog.js";
import { tr } from "../i18n/narrate.js";
import { h } from "./dom.js";

interface Dir { name: string; dirs: Map<string, Dir>; keys: string[] }

/** SnapshotControls are the snapshot buttons; a read-only page has none. */
export interface SnapshotControls {
  list: readonly SnapshotInfo[];
  save: () => void;
  restore: (name: string) => void;
}

// The kinds a snapshot's line names, in the order of the story, by the
// resource their keys are stored under.
const shownKinds: [string, string][] = [["deployments", "Deployment"], ["replicasets", "ReplicaSet"], ["pods", "Pod"],
  ["services", "Service"], ["configmaps", "ConfigMap"]];

/** renderSnapshots draws the snapshot buttons and the saved snapshots. */
export function renderSnapshots(c: SnapshotControls, lang: Lang): HTMLElement {
  const sec = h("section", { class: "etcd snapshots" }, h("h4", {}, tr("snapshots", lang)),
    h("button", { id: "snapshot-save", onclick: c.save }, tr("saveSnapshot", lang)));
  if (c.list.length === 0) {
    sec.append(h("p", { class: "muted" }, tr("noSnapshots", lang)));
    return sec;
  }
  const ul = h("ul", { class: "snapshot-list" });
  for (const s of [...c.list].reverse()) {
    const objects = shownKinds.filter(([r]) => s.objects[r]).map(([r, kind]) => `${kind} ${s.objects[r]}`).join(", ");
    ul.append(h("li", { "data-snapshot": s.name },
      h("span", {}, tr("snapshotAt", lang, { revision: String(s.revision), keys: String(s.keys), objects })),
      h("button", { class: "restore", onclick: () => c.restore(s.name) }, tr("restoreSnapshot", lang))));
  }
  sec.append(ul);
  return sec;
}

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
