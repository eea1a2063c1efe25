/**
 * OpenAI chat request → Gemini generateContent request (https://ai.google.dev/api/generate-content).
 * URL: `{baseUrl}/v1beta/models/{model}:generateContent` (`tunedModels/{model}` for a tuned model),
 * or `:streamGenerateContent?alt=sse` for a stream; the model id is one URL-encoded path segment
 * (model-resource.ts) so no deployment or client value can change the path. The key
 * goes in `x-goog-api-key`, never in the query string (where it would end up in access logs).
 */
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import { withFormatDescription } from "../format-description.ts";
import { outputCapOf, type ChatRequest, type VendorHttpRequest } from "../types.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { convertMessages } from "./messages.ts";
import { geminiModelPath } from "./model-resource.ts";
import { geminiSeries } from "./model-version.ts";
import { refuseUnsupported } from "./refuse-unsupported.ts";
import { isJsonModeRoot, toGeminiSchema } from "./schema.ts";
import { thinkingConfig } from "./thinking-config.ts";
import { convertTools } from "./tools.ts";

/**
 * response_format → JSON mode (`responseMimeType`) and, for a json_schema, its `responseSchema`. A
 * schema whose root is a free-form object (no properties, additionalProperties true or {}, nullable
 * however written) or has no type, which Gemini refuses as a responseSchema ("...properties: should be
 * non-empty for OBJECT type"), is JSON mode without a schema, as json_object is (the Vercel AI SDK does
 * the same, vercel/ai#11319). JSON mode holds the answer to nothing, so such a root under `strict:
 * true` or saying more (additionalProperties false, required...) is refused, and so is an object
 * without properties nested in the schema (schema.ts). The json_schema's `description` ("what the
 * response format is for, used by the model to determine how to respond in the format", OpenAI) is the
 * responseSchema root's description, before the schema's own if it has one (../format-description.ts).
 */
function responseFormat(format: unknown): Record<string, unknown> {
  if (format === undefined || format === null) return {};
  const f = format as { type?: unknown; json_schema?: { schema?: unknown; strict?: unknown; description?: unknown } };
  const jsonMode = { responseMimeType: "application/json" };
  if (f.type === "text") return {};
  if (f.type === "json_object") return jsonMode;
  if (f.type === "json_schema" && f.json_schema && typeof f.json_schema === "object") {
    if (!f.json_schema.schema) return jsonMode;
    const strict = f.json_schema.strict === true;
    const responseSchema = toGeminiSchema(f.json_schema.schema, "response_format.json_schema.schema", "responseSchema", { strict });
    return isJsonModeRoot(responseSchema) ? jsonMode : { ...jsonMode, responseSchema: withFormatDescription(responseSchema, f.json_schema.description) };
  }
  throw new UnsupportedParameterError("response_format", "response_format.type must be 'text', 'json_object' or 'json_schema'.");
}

const PENALTIES = [
  ["presence_penalty", "presencePenalty"],
  ["frequency_penalty", "frequencyPenalty"],
] as const;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Gemini's 1.x and 2.x series refuse function declarations next to a JSON response mime type (400
 * INVALID_ARGUMENT "Function calling with a response mime type: 'application/json' is unsupported";
 * structured output together with tools came with Gemini 3). An id naming no series is left to the vendor.
 */
const combinesToolsWithJson = (model: string) => {
  const series = geminiSeries(model);
  return series === null || series >= 3;
};

/**
 * Several candidates are a Gemini 2.x feature, up to 8: Gemini 3 answers 400 "Multiple candidates is
 * not enabled for this model" (googleapis/js-genai#1609), Gemini 1.x "candidateCount must be 1" or
 * "Only one candidate can be specified". Refused before the call, naming n, so a chain skips such a
 * deployment for one that can, as for any parameter a deployment cannot honour; a model id that names
 * no series (gemini-flash-latest, a tuned model) is not known to take more than one.
 */
const MAX_CANDIDATES = 8;

function candidateCount(n: number, model: string): number {
  if (geminiSeries(model) !== 2) throw new UnsupportedParameterError("n", "This model returns one choice per request; n must be 1 (Gemini 2.x models answer up to 8).");
  if (n > MAX_CANDIDATES) throw new UnsupportedParameterError("n", `This provider returns at most ${MAX_CANDIDATES} choices per request.`);
  return n;
}

/** The JSON body Gemini expects for this chat request to `model` (the deployment's model id). */
export function toGeminiBody(req: ChatRequest, model = ""): Record<string, unknown> {
  // With no tools, or tool_choice none, no function can be called: a one-call limit asks for nothing.
  refuseUnsupported(req.raw, (req.tools?.length ?? 0) > 0 && req.tool_choice !== "none");
  const { systemInstruction, contents } = convertMessages(req.messages, model);
  const generationConfig: Record<string, unknown> = { ...responseFormat(req.response_format) };
  // Refused before the call, naming the field, so a chain skips this deployment for one that can.
  if (generationConfig.responseMimeType !== undefined && req.tools !== undefined && req.tools.length > 0 && !combinesToolsWithJson(model)) {
    throw new UnsupportedParameterError("response_format", "This model (Gemini before the 3 series) cannot combine tools with a JSON response_format; send one or the other, or use a Gemini 3 model.");
  }
  // Each candidate is answered as its own choice (response.ts, stream.ts); maxOutputTokens caps each
  // one, as the limits step reserves (n × the per-answer cap). 1 is Gemini's default: nothing is sent.
  if (typeof req.raw.n === "number" && req.raw.n > 1) generationConfig.candidateCount = candidateCount(req.raw.n, model);
  const thinking = thinkingConfig(req.raw.reasoning_effort, model);
  if (thinking) generationConfig.thinkingConfig = thinking;
  if (req.temperature !== undefined) generationConfig.temperature = req.temperature;
  if (req.top_p !== undefined) generationConfig.topP = req.top_p;
  const cap = outputCapOf(req);
  if (cap) generationConfig.maxOutputTokens = cap.send;
  if (req.stop !== undefined && req.stop !== null) {
    const stops = (typeof req.stop === "string" ? [req.stop] : req.stop).filter((s) => s !== "");
    if (stops.length > 0) generationConfig.stopSequences = stops;
  }
  // Gemini honours these three natively (GenerationConfig), so they pass instead of being refused.
  // A penalty of 0 is OpenAI's default and changes nothing, and several Gemini models refuse any
  // penalty field ("Penalty is not enabled for models/..."): a client sending the default sends nothing.
  for (const [field, key] of PENALTIES) {
    const value = req.raw[field];
    if (typeof value !== "number" || value === 0) continue;
    // OpenAI allows [-2, 2], Gemini [-2, 2): clamping 2 down would send a value the client did not ask for.
    if (value < -2 || value >= 2) throw new UnsupportedParameterError(field, `This provider accepts ${field} from -2 up to, but not including, 2.`);
    generationConfig[key] = value;
  }
  if (typeof req.raw.seed === "number") {
    // Gemini's seed is an int32; the request parser allows any safe integer, as OpenAI does.
    if (req.raw.seed < INT32_MIN || req.raw.seed > INT32_MAX) throw new UnsupportedParameterError("seed", `This provider accepts a seed between ${INT32_MIN} and ${INT32_MAX}.`);
    generationConfig.seed = req.raw.seed;
  }
  return {
    contents,
    ...(systemInstruction ? { systemInstruction } : {}),
    ...convertTools(req.tools, req.tool_choice),
    ...(Object.keys(generationConfig).length > 0 ? { generationConfig } : {}),
  };
}

/** The HTTP request for one attempt against `target`. */
export function buildGeminiRequest(req: ChatRequest, target: SnapshotDeployment, credential: string): VendorHttpRequest {
  const base = `${target.baseUrl.replace(/\/+$/, "")}/v1beta/${geminiModelPath(target.model)}`;
  return {
    url: req.stream ? `${base}:streamGenerateContent?alt=sse` : `${base}:generateContent`,
    method: "POST",
    headers: { "content-type": "application/json", "x-goog-api-key": credential, ...(req.stream ? { accept: "text/event-stream" } : {}) },
    body: JSON.stringify(toGeminiBody(req, target.model)),
  };
}
