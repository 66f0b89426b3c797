// Field owners: what metadata.managedFields says about who set which field.
// The API server records, for every write, the fields its manager changed
// (kubectl-create, kube-controller-manager, kubelet, a server-side apply's
// manager). The inspector shows them as a short list per manager instead of
// the raw FieldsV1 tree, and hides managedFields from the object's YAML and
// diff, as kubectl does unless asked (--show-managed-fields).

export interface FieldOwner {
  manager: string;
  operation: string; // Apply or Update
  apiVersion: string;
  subresource?: string;
  time?: string;
  fields: string[]; // ".spec.replicas", ".spec.template.spec.containers[name=web].image"
}

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  subresource?: string;
  time?: string;
  fieldsV1?: Record<string, unknown>;
}

/** fieldOwners reads an object's managedFields. */
export function fieldOwners(obj: unknown): FieldOwner[] {
  const entries = (obj as { metadata?: { managedFields?: ManagedFieldsEntry[] } } | null)?.metadata?.managedFields;
  if (!Array.isArray(entries)) return [];
  return entries.map((e) => ({
    manager: e.manager ?? "",
    operation: e.operation ?? "",
    apiVersion: e.apiVersion ?? "",
    subresource: e.subresource || undefined,
    time: e.time,
    fields: fieldPaths(e.fieldsV1 ?? {}, ""),
  }));
}

/** fieldPaths flattens a FieldsV1 tree into the paths of its leaves. A key is
 * "f:name" (a field), "k:{...}" (a list item by its key fields), "v:value"
 * (a set item) or "i:N" (an item by index); "." marks the node itself. */
export function fieldPaths(tree: Record<string, unknown>, prefix: string): string[] {
  const out: string[] = [];
  for (const [key, sub] of Object.entries(tree)) {
    if (key === ".") continue;
    const path = prefix + segment(key);
    const children = sub && typeof sub === "object" ? sub as Record<string, unknown> : {};
    const below = fieldPaths(children, path);
    if (below.length) out.push(...below);
    else out.push(path);
  }
  return out;
}

function segment(key: string): string {
  const kind = key.slice(0, 2);
  const rest = key.slice(2);
  switch (kind) {
    case "f:": return "." + rest;
    case "i:": return `[${rest}]`;
    case "v:": return `[=${rest}]`;
    case "k:":
      try {
        const k = JSON.parse(rest) as Record<string, unknown>;
        return "[" + Object.entries(k).map(([n, v]) => `${n}=${String(v)}`).join(",") + "]";
      } catch {
        return `[${rest}]`;
      }
  }
  return "." + key;
}

/** withoutManagedFields returns obj without metadata.managedFields. */
export function withoutManagedFields(obj: unknown): unknown {
  const o = obj as { metadata?: Record<string, unknown> } | null;
  if (!o || typeof o !== "object" || !o.metadata || !("managedFields" in o.metadata)) return obj;
  const { managedFields: _, ...metadata } = o.metadata;
  return { ...o, metadata };
}
