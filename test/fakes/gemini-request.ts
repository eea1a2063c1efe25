/**
 * A generateContent request as the Gemini fake reads it: every field it reads is checked first, and a
 * wrong one is the message of Google's 400 INVALID_ARGUMENT, in the words its protobuf JSON parser uses
 * (`Invalid value at 'contents[0].parts' (type.googleapis.com/google.ai.generativelanguage.v1beta.Part), "x"`),
 * never a TypeError. null is a field's default, as protobuf JSON takes it
 * (https://protobuf.dev/programming-guides/json/), so a null field counts as not given. Of a schema
 * (function parameters, responseSchema) only `enum` is read: Gemini takes strings there only. Inline
 * data of a MIME type Gemini does not take is its 400 "Unsupported MIME type: <type>", and data that is
 * not base64 its "...inline_data.data' (TYPE_BYTES), Base64 decoding failed for ...". A function
 * declaration's name must start with a letter or an underscore, then a-z A-Z 0-9 _ . : -, 64 at most
 * (Google's 400 "[FIELD_INVALID] Invalid function name..."), and a name declared twice, in one tool or
 * two, is its 400 "Duplicate function declaration found: <name>".
 *
 * @example readGenerateRequest({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }).stopSequences // []
 */
export type Part = Record<string, unknown>;
export interface Content {
  role?: string;
  parts: Part[];
}

export interface GenerateRequest {
  contents: Content[];
  /** The function declarations' names, in order. */
  functions: string[];
  mode: string | undefined;
  allowedFunctionNames: string[];
  stopSequences: string[];
  maxOutputTokens: number | undefined;
  /** generationConfig.candidateCount: how many answers to write (1 when not given). */
  candidateCount: number;
  responseMimeType: string | undefined;
  /** generationConfig.thinkingConfig: a budget or a level (upper case), never both. */
  thinking: { budget?: number; level?: string };
}

const MODES = ["MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"];
const THINKING_LEVELS = ["THINKING_LEVEL_UNSPECIFIED", "MINIMAL", "LOW", "MEDIUM", "HIGH"];
const INT32_MAX = 2 ** 31 - 1;
/** Gemini's rule for a function declaration's name, and the words of its 400 for one that breaks it. */
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;
const INVALID_FUNCTION_NAME = "Invalid function name. Must start with a letter or an underscore. Must be a-z, A-Z, 0-9, or contain underscores (_), dots (.), colons (:), or dashes (-), with a maximum length of 64.";

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const type = (name: string) => `type.googleapis.com/google.ai.generativelanguage.v1beta.${name}`;
const invalid = (path: string, expected: string, value: unknown) => `Invalid value at '${path}' (${expected}), ${JSON.stringify(value)}`;

/** A repeated message field: its objects, or why not. */
function objects(value: unknown, path: string, message: string): Record<string, unknown>[] | string {
  if (value == null) return [];
  if (!Array.isArray(value)) return invalid(path, type(message), value);
  const bad = value.findIndex((item) => !isObject(item));
  return bad >= 0 ? invalid(`${path}[${bad}]`, type(message), value[bad]) : value;
}

function strings(value: unknown, path: string): string[] | string {
  if (value == null) return [];
  if (!Array.isArray(value)) return invalid(path, "TYPE_STRING", value);
  const bad = value.findIndex((item) => typeof item !== "string");
  return bad >= 0 ? invalid(`${path}[${bad}]`, "TYPE_STRING", value[bad]) : value;
}

function optionalString(value: unknown, path: string): string | undefined | { problem: string } {
  if (value == null) return undefined;
  return typeof value === "string" ? value : { problem: invalid(path, "TYPE_STRING", value) };
}

/** An int32 field: undefined when not given, the message of the 400 when it is not an int32. */
export function readInt32(value: unknown, path: string): number | undefined | { problem: string } {
  if (value == null) return undefined;
  if (typeof value === "number" && Number.isInteger(value) && Math.abs(value) <= INT32_MAX) return value;
  return { problem: invalid(path, "TYPE_INT32", value) };
}

/**
 * Whether Gemini takes inline data of this MIME type: the image types it documents
 * (https://ai.google.dev/gemini-api/docs/image-understanding), PDF, plain text, audio and video. It
 * answers any other (image/svg+xml, image/bmp, image/jpg) with 400 "Unsupported MIME type: <type>".
 */
const INLINE_IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp", "image/heic", "image/heif"];
const inlineTypeTaken = (mimeType: string) => INLINE_IMAGE_TYPES.includes(mimeType) || mimeType === "application/pdf" || mimeType === "text/plain" || /^(audio|video)\//.test(mimeType);

/**
 * Whether protobuf JSON decodes this `bytes` value (https://protobuf.dev/programming-guides/json/:
 * standard or URL-safe base64, with or without padding); the fake takes no whitespace in it.
 */
const isProtoBytes = (data: string) => data.length % 4 !== 1 && /^[A-Za-z0-9+/_-]*={0,2}$/.test(data) && (!data.endsWith("=") || data.length % 4 === 0);

/** A content's parts (`path` names the field, e.g. `contents[0].parts`), checked where the fake reads them. */
export function readParts(value: unknown, path: string): Part[] | string {
  const parts = objects(value, path, "Part");
  if (typeof parts === "string") return parts;
  for (const [i, part] of parts.entries()) {
    if (part.text != null && typeof part.text !== "string") return invalid(`${path}[${i}].text`, "TYPE_STRING", part.text);
    if (part.functionCall != null && !isObject(part.functionCall)) return invalid(`${path}[${i}].function_call`, type("FunctionCall"), part.functionCall);
    if (part.functionResponse != null && !isObject(part.functionResponse)) return invalid(`${path}[${i}].function_response`, type("FunctionResponse"), part.functionResponse);
    if (part.thoughtSignature != null && typeof part.thoughtSignature !== "string") return invalid(`${path}[${i}].thought_signature`, "TYPE_BYTES", part.thoughtSignature);
    if (part.inlineData != null) {
      if (!isObject(part.inlineData)) return invalid(`${path}[${i}].inline_data`, type("Blob"), part.inlineData);
      const mimeType = optionalString(part.inlineData.mimeType, `${path}[${i}].inline_data.mime_type`);
      if (typeof mimeType === "object") return mimeType.problem;
      if (!inlineTypeTaken(mimeType ?? "")) return `Unsupported MIME type: ${mimeType ?? ""}`;
      const data = part.inlineData.data;
      if (data != null && (typeof data !== "string" || !isProtoBytes(data))) return `Invalid value at '${path}[${i}].inline_data.data' (TYPE_BYTES), Base64 decoding failed for ${JSON.stringify(data)}`;
    }
  }
  return parts;
}

function readContents(value: unknown): Content[] | string {
  if (!Array.isArray(value) || value.length === 0) return "* GenerateContentRequest.contents: contents is not specified";
  const contents: Content[] = [];
  for (const [i, c] of value.entries()) {
    if (!isObject(c)) return invalid(`contents[${i}]`, type("Content"), c);
    if (c.role != null && c.role !== "user" && c.role !== "model") return "Please use a valid role: user, model.";
    const parts = readParts(c.parts, `contents[${i}].parts`);
    if (typeof parts === "string") return parts;
    contents.push({ ...(c.role != null ? { role: c.role as string } : {}), parts });
  }
  return contents;
}

/**
 * Why a Schema (https://ai.google.dev/api/caching#Schema) at `path` is not parsed, or null: the fake
 * reads only `enum`, a repeated string, through properties (a map: `properties[i].value`), items and
 * anyOf. A non-string value is refused as protobuf JSON refuses it (`...enum[0]' (TYPE_STRING), 1`), and
 * so is a schema that is no object, a boolean schema included (`...items' (...v1beta.Schema), false`).
 */
function schemaProblem(schema: unknown, path: string): string | null {
  if (schema == null) return null;
  if (!isObject(schema)) return invalid(path, type("Schema"), schema);
  const values = strings(schema.enum, `${path}.enum`);
  if (typeof values === "string") return values;
  const children: [unknown, string][] = [[schema.items, `${path}.items`]];
  if (isObject(schema.properties)) Object.values(schema.properties).forEach((p, i) => children.push([p, `${path}.properties[${i}].value`]));
  if (Array.isArray(schema.anyOf)) schema.anyOf.forEach((s, i) => children.push([s, `${path}.any_of[${i}]`]));
  for (const [child, at] of children) {
    const problem = schemaProblem(child, at);
    if (problem) return problem;
  }
  return null;
}

function readFunctions(value: unknown): string[] | string {
  const tools = objects(value, "tools", "Tool");
  if (typeof tools === "string") return tools;
  const names: string[] = [];
  for (const [i, tool] of tools.entries()) {
    const declarations = objects(tool.functionDeclarations, `tools[${i}].function_declarations`, "FunctionDeclaration");
    if (typeof declarations === "string") return declarations;
    for (const [j, d] of declarations.entries()) {
      const path = `tools[${i}].function_declarations[${j}].name`;
      if (d.name == null || d.name === "") return `* GenerateContentRequest.${path}: Name cannot be empty.`;
      if (typeof d.name !== "string") return invalid(path, "TYPE_STRING", d.name);
      if (!FUNCTION_NAME.test(d.name)) return `* GenerateContentRequest.${path}: [FIELD_INVALID] ${INVALID_FUNCTION_NAME}`;
      if (names.includes(d.name)) return `Duplicate function declaration found: ${d.name}`;
      const parameters = schemaProblem(d.parameters, `tools[${i}].function_declarations[${j}].parameters`);
      if (parameters) return parameters;
      names.push(d.name);
    }
  }
  return names;
}

function readCallingConfig(value: unknown): { mode: string | undefined; allowedFunctionNames: string[] } | string {
  if (value == null) return { mode: undefined, allowedFunctionNames: [] };
  if (!isObject(value)) return invalid("tool_config", type("ToolConfig"), value);
  const config = value.functionCallingConfig;
  if (config == null) return { mode: undefined, allowedFunctionNames: [] };
  if (!isObject(config)) return invalid("tool_config.function_calling_config", type("FunctionCallingConfig"), config);
  if (config.mode != null && !MODES.includes(config.mode as string)) return invalid("tool_config.function_calling_config.mode", type("FunctionCallingConfig.Mode"), config.mode);
  const allowed = strings(config.allowedFunctionNames, "tool_config.function_calling_config.allowed_function_names");
  if (typeof allowed === "string") return allowed;
  return { mode: (config.mode as string | null | undefined) ?? undefined, allowedFunctionNames: allowed };
}

/**
 * generationConfig.thinkingConfig: a thinkingBudget (int32) or a thinkingLevel (an enum, its name in
 * either case), or the 400's message; Gemini refuses the two together.
 */
function readThinking(value: unknown): GenerateRequest["thinking"] | string {
  if (value == null) return {};
  if (!isObject(value)) return invalid("generation_config.thinking_config", type("ThinkingConfig"), value);
  const budget = readInt32(value.thinkingBudget, "generation_config.thinking_config.thinking_budget");
  if (typeof budget === "object") return budget.problem;
  let level: string | undefined;
  if (value.thinkingLevel != null) {
    level = typeof value.thinkingLevel === "string" ? value.thinkingLevel.toUpperCase() : "";
    if (!THINKING_LEVELS.includes(level)) return invalid("generation_config.thinking_config.thinking_level", type("ThinkingConfig.ThinkingLevel"), value.thinkingLevel);
  }
  if (budget !== undefined && level !== undefined) return "You can only set only one of thinking budget and thinking level.";
  return { ...(budget !== undefined ? { budget } : {}), ...(level !== undefined ? { level } : {}) };
}

/** The request, or the message of the 400 that refuses it. */
export function readGenerateRequest(body: Record<string, unknown>): GenerateRequest | string {
  const contents = readContents(body.contents);
  if (typeof contents === "string") return contents;
  const functions = readFunctions(body.tools);
  if (typeof functions === "string") return functions;
  const calling = readCallingConfig(body.toolConfig);
  if (typeof calling === "string") return calling;
  const gen = body.generationConfig ?? {};
  if (!isObject(gen)) return invalid("generation_config", type("GenerationConfig"), gen);
  const stopSequences = strings(gen.stopSequences, "generation_config.stop_sequences");
  if (typeof stopSequences === "string") return stopSequences;
  const maxOutputTokens = readInt32(gen.maxOutputTokens, "generation_config.max_output_tokens");
  if (typeof maxOutputTokens === "object") return maxOutputTokens.problem;
  const candidateCount = readInt32(gen.candidateCount, "generation_config.candidate_count");
  if (typeof candidateCount === "object") return candidateCount.problem;
  const responseMimeType = optionalString(gen.responseMimeType, "generation_config.response_mime_type");
  if (typeof responseMimeType === "object") return responseMimeType.problem;
  const responseSchema = schemaProblem(gen.responseSchema, "generation_config.response_schema");
  if (responseSchema) return responseSchema;
  const thinking = readThinking(gen.thinkingConfig);
  if (typeof thinking === "string") return thinking;
  return { contents, functions, ...calling, stopSequences, maxOutputTokens, candidateCount: candidateCount ?? 1, responseMimeType, thinking };
}
