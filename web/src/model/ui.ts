// The state of the page around the diagram: the language and theme, the
// panel on screen and what the inspector shows, which etcd keys are open,
// the help, presenting; and what the server last said of the pacer, the
// components and the stream. Like playback.ts, one pure reducer; main.ts
// turns events into its actions.

import { ComponentStatus, Pacer, SnapshotInfo } from "../api/client.js";
import { StreamStatus } from "../api/stream.js";
import { Lang } from "../i18n/catalog.js";

export type Panel = "inspector" | "playground" | "story" | "terminal" | "etcd" | "lessons";
export const panels: readonly Panel[] = ["playground", "story", "inspector", "terminal", "etcd", "lessons"];

export interface UI {
  lang: Lang;
  theme: string; // "dark" | "light"
  present: boolean;
  panel: Panel;
  selected: string; // an object key, a part, "step", or ""
  etcdOpen: ReadonlySet<string>;
  help: boolean;
  pacer: Pacer | null;
  components: ComponentStatus[];
  snapshots: SnapshotInfo[];
  conn: StreamStatus;
  readOnly: boolean; // the sandbox shown is another's (model/classroom.ts): no control writes
  leftPanel?: Panel; // the writing panel read-only took the page away from
}

export type UIAction =
  | { type: "lang" } // the other language
  | { type: "theme" }
  | { type: "present"; on?: boolean }
  | { type: "help"; show?: boolean }
  | { type: "panel"; panel: Panel }
  | { type: "panelBy"; by: 1 | -1 } // the tab to the right or left, round
  | { type: "inspect"; key: string } // a part or object clicked in the diagram
  | { type: "inspectStep" } // a step clicked in the story
  | { type: "etcdKey"; key: string }
  | { type: "pacer"; pacer: Pacer } // sent on the stream
  | { type: "pacerAnswer"; pacer: Pacer } // answered by the app API
  | { type: "components"; list: ComponentStatus[] }
  | { type: "snapshots"; list: SnapshotInfo[] }
  | { type: "conn"; status: StreamStatus }
  | { type: "applied"; ok: boolean } // the playground's Apply answered
  | { type: "readOnly"; on: boolean } // the page began or stopped showing another's sandbox
  | { type: "switchSandbox" }; // the stream now comes from another sandbox

/** writingPanels write to the sandbox: a read-only page has no tab for them. */
export const writingPanels: readonly Panel[] = ["playground", "terminal"];

/** shownPanels are the tabs the page offers. */
export function shownPanels(u: UI): readonly Panel[] {
  return u.readOnly ? panels.filter((p) => !writingPanels.includes(p)) : panels;
}

/** Where the page's first settings come from: the URL, then what this
 * browser stored, then the browser's own preferences. */
export interface Preferences {
  query: URLSearchParams;
  stored: (key: string) => string | null;
  prefersLight: boolean;
  browserLang: string;
  panel?: string; // from the URL hash
  inspect?: string;
}

export function initialUI(p: Preferences): UI {
  const qlang = p.query.get("lang"), qtheme = p.query.get("theme");
  const lang = (qlang === "zh-TW" || qlang === "en" ? qlang : p.stored("glassplane.lang")) as Lang || (p.browserLang.startsWith("zh") ? "zh-TW" : "en");
  const theme = (qtheme === "dark" || qtheme === "light" ? qtheme : p.stored("glassplane.theme")) || (p.prefersLight ? "light" : "dark");
  // ?present and ?present=1 turn presenting on, ?present=0 off; without
  // either the page presents as this browser last did.
  const qpresent = p.query.get("present");
  const present = qpresent !== null ? qpresent !== "0" && qpresent !== "false" : p.stored("glassplane.present") === "1";
  return {
    lang, theme, present,
    panel: panels.includes(p.panel as Panel) ? p.panel as Panel : "playground",
    selected: p.inspect ?? "", etcdOpen: new Set(), help: false,
    pacer: null, components: [], snapshots: [], conn: "connecting", readOnly: false,
  };
}

export function applyUI(u: UI, a: UIAction): UI {
  switch (a.type) {
    case "lang": return { ...u, lang: u.lang === "en" ? "zh-TW" : "en" };
    case "theme": return { ...u, theme: u.theme === "dark" ? "light" : "dark" };
    case "present": return { ...u, present: a.on ?? !u.present };
    case "help": return { ...u, help: a.show ?? !u.help };
    case "panel": return u.readOnly && writingPanels.includes(a.panel) ? u : { ...u, panel: a.panel };
    case "panelBy": {
      const tabs = shownPanels(u);
      const i = Math.max(0, tabs.indexOf(u.panel));
      return { ...u, panel: tabs[(i + (a.by === 1 ? 1 : tabs.length - 1)) % tabs.length] };
    }
    case "inspect": return { ...u, selected: a.key, panel: "inspector" };
    case "inspectStep": return { ...u, selected: "step", panel: "inspector" };
    case "etcdKey": {
      const etcdOpen = new Set(u.etcdOpen);
      if (etcdOpen.has(a.key)) etcdOpen.delete(a.key); else etcdOpen.add(a.key);
      return { ...u, etcdOpen };
    }
    case "pacer": return { ...u, pacer: a.pacer };
    // An answer of the app API can be older than the pacer the stream has
    // sent since (Next releases a step, the stream already shows the next
    // one held): while the stream is open, an answer counts only if it is
    // newer than what the stream last sent.
    case "pacerAnswer":
      return u.conn === "open" && u.pacer && (a.pacer.version ?? 0) <= (u.pacer.version ?? 0) ? u : { ...u, pacer: a.pacer };
    case "components": return { ...u, components: a.list };
    case "snapshots": return { ...u, snapshots: a.list };
    case "conn": return { ...u, conn: a.status };
    case "applied": return a.ok && u.panel === "playground" ? { ...u, panel: "story" } : u;
    case "switchSandbox": return { ...u, pacer: null, components: [], snapshots: [], conn: "connecting" };
    case "readOnly": {
      if (a.on === u.readOnly) return u;
      if (a.on) {
        // What the playground or the terminal would change is not this page's to change: the story shows what happens.
        const away = writingPanels.includes(u.panel);
        return { ...u, readOnly: true, panel: away ? "story" : u.panel, leftPanel: away ? u.panel : undefined };
      }
      // Back to the panel the page left, unless the learner chose another since.
      return { ...u, readOnly: false, panel: u.leftPanel && u.panel === "story" ? u.leftPanel : u.panel, leftPanel: undefined };
    }
  }
}
