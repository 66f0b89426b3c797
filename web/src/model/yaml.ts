// A small JSON-to-YAML printer for the inspector (objects as kubectl -o yaml
// shows them), and a line diff between two versions. Both are pure.

export function toYAML(v: unknown, indent = ""): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return v.map((x) => {
      const inner = toYAML(x, indent + "  ");
      return `${indent}- ${isBlock(x) ? inner.trimStart() : inner}`;
    }).join("\n");
  }
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) return "{}";
    return entries.map(([k, x]) => {
      const key = `${indent}${scalarKey(k)}:`;
      if (isBlock(x)) return `${key}\n${toYAML(x, Array.isArray(x) ? indent : indent + "  ")}`;
      return `${key} ${toYAML(x, indent + "  ")}`;
    }).join("\n");
  }
  return scalar(v);
}

function isBlock(x: unknown): boolean {
  if (Array.isArray(x)) return x.length > 0;
  return x !== null && typeof x === "object" && Object.keys(x).length > 0;
}

function scalarKey(k: string): string {
  return /^[A-Za-z0-9_.\/-]+$/.test(k) ? k : JSON.stringify(k);
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") {
    if (v === "" || /^[\s]|[\s]$|[:#{}\[\],&*!|>'"%@`]|^(true|false|null|yes|no|~|-?\d[\d.e+-]*)$/i.test(v)) return JSON.stringify(v);
    return v;
  }
  return String(v);
}

export type DiffLine = { op: " " | "+" | "-"; text: string };

/** diffLines is a longest-common-subsequence line diff of a and b. */
export function diffLines(a: string, b: string): DiffLine[] {
  const x = a ? a.split("\n") : [], y = b ? b.split("\n") : [];
  const n = x.length, m = y.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: DiffLine[] = [];
  let i = 0, j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) { out.push({ op: " ", text: x[i] }); i++; j++; }
    else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push({ op: "-", text: x[i++] });
    else out.push({ op: "+", text: y[j++] });
  }
  while (i < n) out.push({ op: "-", text: x[i++] });
  while (j < m) out.push({ op: "+", text: y[j++] });
  return out;
}

/** prettyValue turns a stored JSON string into YAML (or returns it as is);
 * hide drops metadata.managedFields, as kubectl -o yaml does. */
export function prettyValue(json: string | undefined, hide?: (v: unknown) => unknown): string {
  if (!json) return "";
  try {
    const v: unknown = JSON.parse(json);
    return toYAML(hide ? hide(v) : v);
  } catch {
    return json;
  }
}
