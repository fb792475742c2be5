/**
 * One node of the config's JSON Schema by dotted path, for clients that drill into the config a
 * level at a time (a settings form) instead of walking the whole document.
 */

type Node = Record<string, unknown>;

export interface SchemaChild {
  key: string;
  path: string;
  type?: string | string[];
  required: boolean;
  hasChildren: boolean;
  description?: string;
}

export interface SchemaLookup {
  /** The path normalised: dots only, list positions and map keys as `*` / `[]` where the schema has no name for them. */
  path: string;
  /** The node without its nested nodes: title, description, type, enum, const, bounds. */
  schema: Node;
  children: SchemaChild[];
}

export class SchemaPathError extends Error {
  override name = "SchemaPathError";
}

const SHALLOW_KEYS = [
  "title", "description", "type", "enum", "const", "default", "format", "pattern", "minimum", "maximum",
  "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems", "multipleOf",
] as const;

const isNode = (v: unknown): v is Node => v !== null && typeof v === "object" && !Array.isArray(v);

/** The node itself and, for a union, each branch: where a child may be found. */
function variants(node: Node): Node[] {
  const branches = [node.anyOf, node.oneOf, node.allOf].flatMap((b) => (Array.isArray(b) ? b.filter(isNode) : []));
  return [node, ...branches.flatMap(variants)];
}

/** `a.b[0].c`, `a.b[].c` and `a.b.*.c` all split into a, b, *, c (a list position or wildcard is `*`). */
export function splitSchemaPath(path: string): string[] {
  const trimmed = path.trim();
  if (trimmed === "") return [];
  const parts = trimmed.replace(/\[(\d*|\*)\]/g, ".*").split(".").map((s) => s.trim());
  if (parts.some((s) => s === "")) throw new SchemaPathError(`invalid config path ${JSON.stringify(path)}: empty segment`);
  return parts;
}

function childOf(node: Node, key: string): { node: Node; name: string } | undefined {
  for (const v of variants(node)) {
    const props = isNode(v.properties) ? v.properties : undefined;
    if (props && key !== "*" && isNode(props[key])) return { node: props[key] as Node, name: key };
  }
  for (const v of variants(node)) {
    if (isNode(v.items) && (key === "*" || /^\d+$/.test(key))) return { node: v.items, name: "*" };
    if (isNode(v.additionalProperties)) return { node: v.additionalProperties, name: key };
  }
  return undefined;
}

function typeOf(node: Node): string | string[] | undefined {
  const types = new Set<string>();
  for (const v of variants(node)) {
    if (typeof v.type === "string") types.add(v.type);
    else if (Array.isArray(v.type)) for (const t of v.type) if (typeof t === "string") types.add(t);
  }
  if (types.size === 0) return undefined;
  const list = [...types];
  return list.length === 1 ? list[0] : list;
}

function hasChildren(node: Node): boolean {
  return variants(node).some((v) => (isNode(v.properties) && Object.keys(v.properties).length > 0) || isNode(v.items) || isNode(v.additionalProperties));
}

function shallow(node: Node): Node {
  const out: Node = {};
  for (const key of SHALLOW_KEYS) if (node[key] !== undefined) out[key] = node[key];
  const type = typeOf(node);
  if (type !== undefined) out.type = type;
  if (typeof node.additionalProperties === "boolean") out.additionalProperties = node.additionalProperties;
  return out;
}

function summary(key: string, path: string, node: Node, required: boolean): SchemaChild {
  const child: SchemaChild = { key, path, required, hasChildren: hasChildren(node) };
  const type = typeOf(node);
  if (type !== undefined) child.type = type;
  if (typeof node.description === "string") child.description = node.description;
  return child;
}

function children(node: Node, path: string): SchemaChild[] {
  const out: SchemaChild[] = [];
  const seen = new Set<string>();
  const at = (key: string) => (path ? `${path}.${key}` : key);
  for (const v of variants(node)) {
    const required = new Set(Array.isArray(v.required) ? v.required.map(String) : []);
    if (isNode(v.properties)) {
      for (const [key, child] of Object.entries(v.properties)) {
        if (!isNode(child) || seen.has(key)) continue;
        seen.add(key);
        out.push(summary(key, at(key), child, required.has(key)));
      }
    }
    if (isNode(v.additionalProperties) && !seen.has("*")) {
      seen.add("*");
      out.push(summary("*", at("*"), v.additionalProperties, false));
    }
    if (isNode(v.items) && !seen.has("[]")) {
      seen.add("[]");
      out.push(summary("[]", at("*"), v.items, false));
    }
  }
  return out;
}

/** The node at `path` in `schema` (an empty path is the root). Throws SchemaPathError naming the first unknown segment. */
export function lookupSchemaPath(schema: Node, path: string): SchemaLookup {
  let node = schema;
  const walked: string[] = [];
  for (const segment of splitSchemaPath(path)) {
    const next = childOf(node, segment);
    if (!next) {
      const where = walked.length ? walked.join(".") : "the config root";
      throw new SchemaPathError(`config schema has no "${segment}" under ${where}`);
    }
    node = next.node;
    walked.push(next.name);
  }
  const normalized = walked.join(".");
  return { path: normalized, schema: shallow(node), children: children(node, normalized) };
}
