/**
 * JSON Schema → Gemini's Schema object (https://ai.google.dev/api/caching#Schema), an OpenAPI 3.0
 * subset. Keys Gemini does not know ($schema, strict...) are dropped, since it refuses the whole request
 * over them. What can be rewritten faithfully is: local `$ref`s are inlined (schema-refs.ts), `type` lists become `type` +
 * `nullable` or `anyOf` (schema-type-list.ts), an `anyOf` branch `{type:"null"}` becomes `nullable`, a one-schema `allOf`
 * is merged (with a `$ref` or the schema's own `properties`, the properties are joined and `required`
 * lists united, schema-merge.ts; a property defined differently on both sides is refused), a string
 * `const` is a one-value `enum`, a null in an `enum` becomes `nullable` (Gemini's enum takes strings
 * only; any other non-string value is refused) and an enum without `type` (as MCP tool schemas write
 * it) gets type "string", the only type Gemini takes an enum on (an enum on another type is refused),
 * and on an integer `exclusiveMinimum: n` / `exclusiveMaximum: n` become `minimum: n+1` / `maximum: n-1`
 * (schema-integer-bounds.ts; Gemini's Schema has no exclusive bounds, so elsewhere they are refused).
 * A boolean subschema (`true` or `false`) has no equivalent in Gemini's Schema message and is refused.
 * A `format` is sent only where every Gemini version takes it (takenFormat: date-time and enum on a
 * string, float and double on a number, int32 and int64 on an integer); any other (uri, email, uuid,
 * date..., which OpenAI takes) is dropped, as Google's own ADK drops it (a format is an annotation in
 * JSON Schema, not an assertion, unless a validator opts in), and written into the schema's description
 * as `{format: "uri"}` (../schema-description.ts, as Anthropic's strict tools are sent), so the model
 * still reads it; this is done where a schema is sent (sendable), after a `$ref`, allOf or null branch
 * has been merged into it, so a description beside them keeps the hint. Gemini's Schema reference now says of
 * `format` "Any value is allowed, but most do not trigger any special functionality", but some Gemini
 * versions (2025) failed the whole request over any other ("...format: only 'enum' and 'date-time' are
 * supported for STRING type", google-gemini/gemini-cli#2237, enechange/collmbo#195): dropping it is
 * safe with both.
 * Gemini takes `properties` and `required` on an OBJECT only ("...properties[data].properties: only
 * allowed for OBJECT type"), so a node with either and no type, anyOf or enum (as MCP tool schemas write
 * nested objects) gets type "object".
 *
 * Objects (see `SchemaUse`). Gemini parses the JSON into a protobuf message, where an empty `properties`
 * map and no map are the same thing, so an object without properties is one case whichever way it is
 * written: no key, `properties: {}`, with `additionalProperties` true, `{}` or false (which add nothing
 * Gemini can say). As tool parameters such an object nested anywhere is sent as `{type: "object"}`
 * (free-form, as the Vercel AI SDK and LiteLLM send it: vercel/ai#11319, LiteLLM's
 * test_build_vertex_schema), with `nullable` if its type list allowed null; at the root it declares a
 * function without parameters (tools.ts). In a response schema Gemini refuses it ("...properties: should
 * be non-empty for OBJECT type", browser-use/browser-use#3786, googleapis/js-genai#708), so nested
 * anywhere it is refused with a 400 naming where; at the root (nullable however written: null branches
 * are folded before an object is judged) it is sent as JSON mode without a schema (request.ts), as is a
 * root without a type (`{}`). JSON mode holds the answer to no schema, so such a root is refused under
 * the json_schema's `strict: true` or if it says more than "some object" or "any value"
 * (`additionalProperties: false`, `required`, `minProperties`...). A typed record (`additionalProperties`
 * a non-empty schema and no properties: Pydantic's dict[str, int], zod's z.record) has no equivalent and is refused, root included. On an object with
 * properties, `additionalProperties` (whatever its value) is dropped: an answer holding those
 * properties only still conforms. `required` must name the object's properties (Gemini: "required[0]:
 * property is not defined"): one that does not is refused; on an object without properties, which has
 * none to name, `required` is dropped with the rest of its shape (it is free-form, or refused).
 * Validation keywords Gemini cannot express (oneOf, not, uniqueItems, multipleOf...), recursive
 * references, nesting deeper than MAX_SCHEMA_DEPTH and schemas that inlining makes huge are refused
 * with a 400 naming `param`.
 *
 * @example toGeminiSchema({ type: ["string", "null"] }, "tools[0].function.parameters", "parameters") // { type: "string", nullable: true }
 */
import { describeKeywords } from "../schema-description.ts";
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

/**
 * Where a schema is sent: a function declaration's `parameters` or `generationConfig.responseSchema`,
 * which Gemini checks differently for objects without properties (see above).
 */
export type SchemaUse = "parameters" | "responseSchema";

interface Walk {
  root: unknown;
  param: string;
  use: SchemaUse;
  /** The json_schema's `strict: true`: the answer must conform exactly, which JSON mode without a schema does not hold. */
  strict: boolean;
  /** References being inlined, outermost first: meeting one again means the schema is recursive. */
  inlining: string[];
  nodes: number;
}

/** The formats every Gemini version takes, by type (the ones its Schema reference listed before it allowed any value). */
const FORMATS_OF = new Map<string, string[]>([
  ["string", ["enum", "date-time"]],
  ["number", ["float", "double"]],
  ["integer", ["int32", "int64"]],
]);

/**
 * `s` with its `format` only if Gemini takes it on `s`'s type, any other (a non-empty string) moved into
 * its description; a type list's branches (anyOf) likewise.
 */
function takenFormat(s: Record<string, unknown>): Record<string, unknown> {
  if (Array.isArray(s.anyOf)) s = { ...s, anyOf: s.anyOf.map((b) => (isObject(b) ? takenFormat(b) : b)) };
  if (!("format" in s)) return s;
  const type = typeof s.type === "string" ? s.type.toLowerCase() : "";
  if (typeof s.format === "string" && FORMATS_OF.get(type)?.includes(s.format)) return s;
  return describeKeywords(withoutKeys(s, "format"), typeof s.format === "string" && s.format !== "" ? [["format", s.format]] : []);
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

const isNull = (b: unknown) => isObject(b) && b.type === "null" && Object.keys(b).length === 1;

/** An anyOf without its `{type:"null"}` branches (they become nullable); one branch left is merged. */
function withoutNullBranches(out: Record<string, unknown>, at: string, walk: Walk): Record<string, unknown> {
  const branches = out.anyOf as unknown[];
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
  return (isUntyped(out) || types.includes("object")) && !hasProperties(out);
}

/** A schema with no type, anyOf or enum: it says nothing of what kind of value it holds. */
const isUntyped = (s: Record<string, unknown>) => s.type === undefined && !("anyOf" in s) && !("enum" in s);

const isEmptyList = (v: unknown) => Array.isArray(v) && v.length === 0;
const isEmptyMap = (v: unknown) => isObject(v) && Object.keys(v).length === 0;
const hasProperties = (s: Record<string, unknown>) => isObject(s.properties) && Object.keys(s.properties).length > 0;
/** additionalProperties that says nothing Gemini could (true, {}: any member; false: none, on an object with no properties to keep). */
const saysNothing = (v: unknown) => v === undefined || typeof v === "boolean" || isEmptyMap(v);

/**
 * A converted schema of type object and no properties (a missing key or an empty map, one protobuf
 * message): a free-form object as sent, at a tool's root a function without parameters, at a
 * response format's root JSON mode without a schema.
 */
export function isFreeFormObject(schema: unknown): boolean {
  return isObject(schema) && isObjectType(schema) && !hasProperties(schema);
}

/**
 * A converted response schema's root that Gemini gets as JSON mode without a schema: a free-form
 * object, or no type at all (any value). sendable has refused such a root if it says anything more.
 */
export function isJsonModeRoot(schema: unknown): boolean {
  // A converted schema's type is one type (splitTypeList); a list left by a client's nested one ([["object"]]) is not an object type.
  return isObject(schema) && !Array.isArray(schema.type) && isRecord(schema);
}

/** Keywords that say nothing about the value, all a root sent as JSON mode may hold. */
const DESCRIBING = new Set(["type", "nullable", "title", "description", "default", "example", "propertyOrdering"]);

/**
 * A response schema's root sent as JSON mode (isJsonModeRoot), which holds the answer to no schema:
 * refused under `strict: true`, or if it says more than "some object" or "any value" (additionalProperties
 * false, required names, minProperties...), as the answer would not be held to it.
 */
function refuseUnheldRoot(s: Record<string, unknown>, at: string, walk: Walk): void {
  if (!isJsonModeRoot(s)) return;
  const why = "is sent to Gemini as JSON mode without a schema (Gemini requires an OBJECT in a response schema to declare its properties), which does not hold the answer to it";
  if (walk.strict) refuse(walk, at, `with strict: true, a schema without properties cannot be kept: it ${why}`);
  const key = Object.keys(s).find((k) => !DESCRIBING.has(k));
  if (key !== undefined) refuse(walk, `${at}/${key}`, `a root without properties ${why}, so '${key}' would not be kept`);
}

const isObjectType = (s: Record<string, unknown>) => typeof s.type === "string" && s.type.toLowerCase() === "object";

/**
 * An object as Gemini takes it where it is sent: with properties, `required` naming only them (else
 * refused); without, free-form `{type: "object"}` (no properties map, no `required`) in tool
 * parameters and at a response schema's root, refused nested in a response schema.
 */
function objectAsSent(s: Record<string, unknown>, at: string, walk: Walk, root: boolean): Record<string, unknown> {
  if (!isObjectType(s)) return s;
  if (hasProperties(s)) {
    const names = Object.keys(s.properties as object);
    const missing = Array.isArray(s.required) ? s.required.find((r) => typeof r !== "string" || !names.includes(r)) : undefined;
    if (missing !== undefined) refuse(walk, `${at}/required`, `${JSON.stringify(missing)} is required but is not one of the object's properties`);
    return s;
  }
  if (walk.use === "responseSchema" && !root) refuse(walk, at, "an object without properties has no equivalent in a response schema (Gemini requires an OBJECT there to declare its properties)");
  return withoutKeys(s, "properties", "required");
}

function withoutKeys(s: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(s).filter(([k]) => !keys.includes(k)));
}

/**
 * A converted schema as it is sent where a schema is expected (the root, a property, items, an anyOf
 * branch), not merged into another ($ref, allOf): typeless with `properties` or `required`, it is an
 * object; an object, itself or a branch a type list became, is as Gemini takes it (objectAsSent).
 */
function sendable(out: Record<string, unknown>, at: string, walk: Walk, root = false): Record<string, unknown> {
  out = takenFormat(out);
  if (isUntyped(out) && ("properties" in out || "required" in out)) out = { type: "object", ...out };
  if (isEmptyMap(out.properties)) out = withoutKeys(out, "properties");
  if (isEmptyList(out.required)) out = withoutKeys(out, "required");
  if (root && walk.use === "responseSchema") refuseUnheldRoot(out, at, walk);
  out = withoutKeys(objectAsSent(out, at, walk, root), "additionalProperties");
  if (Array.isArray(out.anyOf)) out = { ...out, anyOf: out.anyOf.map((b) => (isObject(b) ? objectAsSent(b, at, walk, false) : b)) };
  return out;
}

/** A subschema converted and made ready to send (sendable). */
const child = (schema: unknown, at: string, depth: number, walk: Walk) => sendable(convert(schema, at, depth, walk), at, walk);

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
      // A lone branch beside null ones is folded into this schema (withoutNullBranches) and judged as it (sendable), root included.
      const branches = value.map((v, i) => convert(v, `${here}/${i}`, depth + 1, walk));
      const folds = branches.some(isNull) && branches.filter((b) => !isNull(b)).length === 1;
      out.anyOf = folds ? branches : branches.map((b, i) => sendable(b, `${here}/${i}`, walk));
    } else out[key] = value;
  }
  // The schema's own keywords join what a reference or allOf brought (properties, required) or win over it (a description next to $ref).
  out = merge(merged, out, at, walk);
  if (!saysNothing(additional) && isRecord(out)) refuse(walk, `${at}/additionalProperties`, "an object without properties whose additionalProperties is a schema (a typed record, a dictionary) has no equivalent");
  // Kept until sent (sendable drops it) so that a response schema's root sent as JSON mode can be refused for it.
  if (additional === false && isRecord(out)) out.additionalProperties = false;
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

/**
 * The Gemini schema for a client's JSON schema sent as `use`; `param` names it in a refusal. `strict`
 * (a response format's json_schema.strict) refuses a root that would be sent as JSON mode.
 */
export function toGeminiSchema(schema: unknown, param: string, use: SchemaUse, { strict = false } = {}): Record<string, unknown> {
  const walk: Walk = { root: schema, param, use, strict, inlining: [], nodes: 0 };
  return sendable(convert(schema, "#", 0, walk), "#", walk, true);
}
