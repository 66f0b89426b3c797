// Small DOM helpers: build elements without a framework, escape text for the
// SVG templates.

type Attrs = Record<string, string | number | boolean | undefined | ((ev: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string | null | undefined | false)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, ""), v);
    else if (k === "class") el.className = String(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export function esc(s: string | number | undefined): string {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
}

/** keepFocus runs draw, which rebuilds root's content, and gives the focus
 * back to the element at the same place in root if it had it before: a
 * keyboard user's place survives the page redrawing under them. */
export function keepFocus(root: Element, draw: () => void): void {
  const path: number[] = [];
  for (let e = document.activeElement; e && e !== root && root.contains(e); e = e.parentElement) {
    path.unshift(e.parentElement ? [...e.parentElement.children].indexOf(e) : 0);
  }
  draw();
  if (!path.length) return;
  let e: Element | undefined = root;
  for (const i of path) e = e?.children[i];
  (e as HTMLElement | undefined)?.focus?.({ preventScroll: true });
}
