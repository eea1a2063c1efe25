/**
 * JSON Schema → Gemini's Schema object (https://ai.google.dev/api/caching#Schema), an OpenAPI 3.0
 * subset. Keys Gemini does not know ($schema, strict...) are dropped, since it refuses the whole request
 * over them. Gemini has no `additionalProperties`: on an object that has `properties` it is dropped,
 * whatever its value (false, true or a schema), as an answer holding those properties only still
 * conforms; on an object without properties (a record: Pydantic's dict[str, int], zod's z.record) `true`
 * or a schema is refused, since dropping it would leave a bare object (and, as tool parameters, a
 * function declared to take no arguments); `false` there is dropped. What can be rewritten
 * faithfully is: local `$ref`s are inlined (schema-refs.ts), `type` lists become `type` +
 * `nullable` or `anyOf` (schema-type-list.ts), an `anyOf` branch `{type:"null"}` becomes `nullable`, a one-schema `allOf`
 * is merged (with a `$ref` or the schema's own `properties`, the properties are joined and `required`
 * lists united, schema-merge.ts; a property defined differently on both sides is refused), a string
 * `const` is a one-value `enum`, a null in an `enum` becomes `nullable` (Gemini's enum takes strings
 * only; any other non-string value is refused) and an enum without `type` (as MCP tool schemas write
 * it) gets type "string", the only type Gemini takes an enum on (an enum on another type is refused),
 * and on an integer `exclusiveMinimum: n` / `exclusiveMaximum: n` become `minimum: n+1` / `maximum: n-1`
 * (schema-integer-bounds.ts; Gemini's Schema has no exclusive bounds, so elsewhere they are refused).
 * A boolean subschema (`true` or `false`) has no equivalent in Gemini's Schema message and is refused.
 * Gemini takes `properties` and `required` on an OBJECT only ("...properties[data].properties: only
 * allowed for OBJECT type"), so a node with either and no type, anyOf or enum (as MCP tool schemas write
 * nested objects) gets type "object". An object with no `properties` key (`{type:"object"}`, a free-form
 * object: LangChain's RunnableConfig metadata, MCP tools' arguments) is sent as it is, as LiteLLM and
 * the Vercel AI SDK send it; Gemini refuses an explicit empty map ("...properties: should be non-empty
 * for OBJECT type", Pydantic's empty model, zod's z.object({})), so that map is dropped, with an empty
 * `required`, and the object kept (as LiteLLM does). At the root of tool parameters an object without
 * properties declares a function without parameters (tools.ts).
 * Validation keywords Gemini cannot express (oneOf, not, uniqueItems, multipleOf...), recursive
 * references, nesting deeper than MAX_SCHEMA_DEPTH and schemas that inlining makes huge are refused
 * with a 400 naming `param`.
 *
 * @example toGeminiSchema({ type: ["string", "null"] }, "tools[0].function.parameters") // { type: "string", nullable: true }
 */
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { type ExclusiveBounds, inclusiveBounds } from "./schema-integer-bounds.ts";
import { mergeSchemas } from "./schema-merge.ts";
import { resolveRef } from "./schema-refs.ts";
import { splitTypeList } from "./schema-type-list.ts";

/** Schema levels (a property, an item, an anyOf branch, a reference) we follow before refusing. */
export const MAX_SCHEMA_DEPTH = 64;
/** Schema objects one conversion may produce: inlining a reference used twice per level doubles it. */
const MAX_SCHEMA_NODES = 10_000;

const KNOWN = new Set([
  "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems", "properties", "required",
  "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "example", "anyOf", "propertyOrdering",
  "default", "items", "minimum", "maximum",
]);
/** Keywords that constrain answers and that Gemini's Schema has no way to say. */
const REFUSED = new Set([
  "oneOf", "not", "if", "then", "else", "patternProperties", "prefixItems", "uniqueItems", "multipleOf", "contains",
  "minContains", "maxContains", "dependentRequired", "dependentSchemas", "dependencies", "unevaluatedProperties",
  "unevaluatedItems", "propertyNames",
]);

interface Walk {
  root: unknown;
  param: string;
  /** References being inlined, outermost first: meeting one again means the schema is recursive. */
  inlining: string[];
  nodes: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function refuse(walk: Walk, at: string, why: string): never {
  throw new UnsupportedParameterError(walk.param, `This JSON schema cannot be translated for this provider at ${at}: ${why}.`);
}

function convertRef(ref: unknown, at: string, depth: number, walk: Walk): Record<string, unknown> {
  const resolved = resolveRef(ref, walk.root);
  if ("problem" in resolved) return refuse(walk, at, resolved.problem);
  if (walk.inlining.includes(resolved.key)) refuse(walk, at, `'${String(ref)}' is recursive, and a reference can only be inlined if it is not`);
  walk.inlining.push(resolved.key);
  const inlined = convert(resolved.target, `#/${resolved.key}`, depth + 1, walk);
  walk.inlining.pop();
  return inlined;
}

/** An anyOf without its `{type:"null"}` branches (they become nullable); one branch left is merged. */
function withoutNullBranches(out: Record<string, unknown>, at: string, walk: Walk): Record<string, unknown> {
  const branches = out.anyOf as unknown[];
  const isNull = (b: unknown) => isObject(b) && b.type === "null" && Object.keys(b).length === 1;
  if (!branches.some(isNull)) return out;
  const rest = branches.filter((b) => !isNull(b));
  if (rest.length === 0) refuse(walk, at, "anyOf allows nothing but null");
  const { anyOf: _all, ...others } = out;
  if (rest.length > 1) return { ...others, anyOf: rest, nullable: true };
  return { ...(rest[0] as Record<string, unknown>), ...others, nullable: true };
}

/**
 * `enum` as Gemini's Schema takes it, a list of strings (Gemini fails the whole request over any other
 * value): a null value becomes `nullable`, any other non-string value is refused.
 */
function stringEnum(value: unknown, at: string, walk: Walk): { enum: string[]; nullable?: true } {
  if (!Array.isArray(value)) refuse(walk, at, "enum must be a list");
  const values = value.filter((v) => v !== null);
  const other = values.find((v) => typeof v !== "string");
  if (other !== undefined) refuse(walk, at, `only string enum values can be expressed, not ${JSON.stringify(other)}`);
  if (values.length === 0) refuse(walk, at, "enum allows nothing but null");
  return values.length < value.length ? { enum: values, nullable: true } : { enum: values };
}

/**
 * A schema holding a (string) `enum` as Gemini takes it, on type "string" only ("enum: only allowed for
 * STRING type"): one without a type gets it, as its values are all strings; one of another type, or
 * with anyOf beside the enum, is refused.
 */
function onStringType(out: Record<string, unknown>, at: string, walk: Walk): Record<string, unknown> {
  if (out.type === undefined && !("anyOf" in out)) return { ...out, type: "string" };
  if (typeof out.type === "string" && out.type.toLowerCase() === "string") return out;
  return refuse(walk, at, "an enum can only be expressed on a string schema");
}

/**
 * An object schema (or one without a type, anyOf or enum) that names no properties: its
 * additionalProperties would be all it says about the object's members.
 */
function isRecord(out: Record<string, unknown>): boolean {
  const types = (Array.isArray(out.type) ? out.type : [out.type]).map((t) => (typeof t === "string" ? t.toLowerCase() : t));
  const objectish = out.type === undefined ? !("anyOf" in out) && !("enum" in out) : types.includes("object");
  return objectish && (!isObject(out.properties) || Object.keys(out.properties).length === 0);
}

const isEmptyList = (v: unknown) => Array.isArray(v) && v.length === 0;
const isEmptyMap = (v: unknown) => isObject(v) && Object.keys(v).length === 0;

/** `s` without an empty `properties` map and an empty `required` list, which Gemini refuses on an object. */
function withoutEmptyProperties(s: Record<string, unknown>): Record<string, unknown> {
  if (!isEmptyMap(s.properties) && !isEmptyList(s.required)) return s;
  const { properties, required, ...rest } = s;
  return { ...rest, ...(isEmptyMap(properties) ? {} : { properties }), ...(isEmptyList(required) ? {} : { required }) };
}

/**
 * A converted schema as it is sent where a schema is expected (the root, a property, items, an anyOf
 * branch), not merged into another ($ref, allOf): typeless with `properties` or `required`, it is an
 * object; an empty properties map or required list, its own or a branch's a type list became, is dropped.
 */
function sendable(out: Record<string, unknown>): Record<string, unknown> {
  if (out.type === undefined && !("anyOf" in out) && !("enum" in out) && ("properties" in out || "required" in out)) out = { type: "object", ...out };
  out = withoutEmptyProperties(out);
  if (Array.isArray(out.anyOf)) out = { ...out, anyOf: out.anyOf.map((b) => (isObject(b) ? withoutEmptyProperties(b) : b)) };
  return out;
}

/** A subschema converted and made ready to send (sendable). */
const child = (schema: unknown, at: string, depth: number, walk: Walk) => sendable(convert(schema, at, depth, walk));

/** `own` merged into `base` (schema-merge.ts), or a refusal naming the property they define differently. */
function merge(base: Record<string, unknown>, own: Record<string, unknown>, at: string, walk: Walk): Record<string, unknown> {
  const merged = mergeSchemas(base, own);
  if ("conflict" in merged) return refuse(walk, `${at}/properties/${merged.conflict}`, "it is defined differently here and in the schema it is merged with ($ref or allOf)");
  return merged;
}

/**
 * Where a subschema is expected (the root, a property, items, an anyOf branch), anything but a schema
 * object is refused: Gemini's Schema is a protobuf message, so a boolean schema (`true`, anything;
 * `false`, nothing) is its 400 "Invalid value at ...", and `{}` for `true` is not sent, as a property
 * that must be absent (`false`) has no equivalent either.
 */
function convert(schema: unknown, at: string, depth: number, walk: Walk): Record<string, unknown> {
  if (typeof schema === "boolean") refuse(walk, at, `a boolean schema (${schema}) has no equivalent; only a schema object can be expressed`);
  if (!isObject(schema)) refuse(walk, at, "a schema must be an object");
  if (depth > MAX_SCHEMA_DEPTH) refuse(walk, at, `it is nested deeper than ${MAX_SCHEMA_DEPTH} levels`);
  if (++walk.nodes > MAX_SCHEMA_NODES) refuse(walk, at, `it is too large once its references are inlined (over ${MAX_SCHEMA_NODES} schemas)`);
  let out: Record<string, unknown> = {};
  let merged: Record<string, unknown> = {};
  const exclusive: ExclusiveBounds = {};
  let additional: unknown;
  for (const [key, value] of Object.entries(schema)) {
    const here = `${at}/${key}`;
    if (REFUSED.has(key)) refuse(walk, here, `'${key}' has no equivalent`);
    if (key === "$ref") merged = merge(merged, convertRef(value, here, depth, walk), at, walk);
    else if (key === "allOf") {
      if (!Array.isArray(value) || value.length !== 1) refuse(walk, here, "only an allOf of one schema can be merged");
      merged = merge(merged, convert(value[0], `${here}/0`, depth + 1, walk), at, walk);
    } else if (key === "const") {
      if (typeof value !== "string") refuse(walk, here, "only a string const can be expressed (as a one-value enum)");
      out.enum = [value];
    } else if (key === "additionalProperties") additional = value;
    else if (key === "exclusiveMinimum" || key === "exclusiveMaximum") {
      if (typeof value !== "number" || !Number.isFinite(value)) refuse(walk, here, `only a numeric '${key}' can be expressed (on an integer, as an inclusive bound)`);
      exclusive[key] = value;
    } else if (!KNOWN.has(key)) continue;
    else if (key === "enum") Object.assign(out, stringEnum(value, here, walk));
    else if (key === "properties") {
      if (!isObject(value)) refuse(walk, here, "properties must be an object");
      out.properties = Object.fromEntries(Object.entries(value).map(([name, v]) => [name, child(v, `${here}/${name}`, depth + 1, walk)]));
    } else if (key === "items") {
      if (Array.isArray(value)) refuse(walk, here, "tuple items (a list of schemas) have no equivalent");
      out.items = child(value, here, depth + 1, walk);
    } else if (key === "anyOf") {
      if (!Array.isArray(value)) refuse(walk, here, "anyOf must be a list of schemas");
      out.anyOf = value.map((v, i) => child(v, `${here}/${i}`, depth + 1, walk));
    } else out[key] = value;
  }
  // The schema's own keywords join what a reference or allOf brought (properties, required) or win over it (a description next to $ref).
  out = merge(merged, out, at, walk);
  if (additional !== undefined && additional !== false && isRecord(out)) refuse(walk, `${at}/additionalProperties`, "an object without properties whose additionalProperties is not false (a record, a dictionary) has no equivalent");
  if (Array.isArray(out.type)) {
    if ("anyOf" in out) refuse(walk, `${at}/type`, "a type list next to anyOf has no equivalent");
    out = splitTypeList(out) ?? refuse(walk, `${at}/type`, "a type list must allow something besides null");
  }
  if (Array.isArray(out.anyOf)) out = withoutNullBranches(out, `${at}/anyOf`, walk);
  if ("enum" in out) out = onStringType(out, `${at}/enum`, walk);
  if (Object.keys(exclusive).length > 0) {
    const key = Object.keys(exclusive)[0]!;
    out = inclusiveBounds(out, exclusive) ?? refuse(walk, `${at}/${key}`, `'${key}' has no equivalent except on an integer (as an inclusive bound)`);
  }
  return out;
}

/** The Gemini schema for a client's JSON schema; `param` names it in a refusal. */
export function toGeminiSchema(schema: unknown, param: string): Record<string, unknown> {
  return sendable(convert(schema, "#", 0, { root: schema, param, inlining: [], nodes: 0 }));
}
