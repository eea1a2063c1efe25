/**
 * The fields of an OpenAI chat message, and of its content parts, that the translating adapters
 * (Anthropic, Gemini) rule on, as refuseUnknownFields rules on the top-level ones: a field they do not
 * translate or knowingly ignore is a 400 naming its path (`messages[0].content[0].foo`), never dropped
 * in silence. Known and translated: a message's role, content, tool_calls, tool_call_id and refusal; a
 * part's type and the field its type names (`text`, `image_url` with its `url`, `file` with its
 * `file_data` (pdf-file-data.ts), `filename` (on Anthropic, its document block's title:
 * anthropic/document-block.ts) and `file_id` (refused by the parser, ../openai/vendor-file-references.ts),
 * `refusal`). Known and ignored, as the README's vendor notes say: a message's `name` (neither vendor
 * has one per turn), an image's `detail`, a file's `filename` on Gemini (its inlineData has no name the
 * Gemini API takes), and a message's `annotations` (the citations an OpenAI answer carried, which a
 * client echoing the answer back sends with it: they tell the model nothing), and `parsed` (the openai
 * SDK's parse() helpers' copy of the content as an object, on the message they return and clients push
 * back into messages: the content already says it). On an assistant message only, also the
 * reasoning an OpenAI-format reasoning model (DeepSeek, vLLM, OpenRouter) showed with its answer, echoed
 * back: `reasoning_content` (DeepSeek's and older vLLM's, which the openai SDK keeps on the message and
 * agents pad every assistant message with, as `""`, for DeepSeek's thinking mode), `reasoning`
 * (OpenRouter's and newer vLLM's) and `reasoning_details` (OpenRouter's structured copy), and
 * `thinking_blocks` (Claude's signed thinking as the Anthropic adapter and LiteLLM give it, which
 * Anthropic takes back when the request thinks: anthropic/thinking-blocks.ts). Neither vendor
 * can take another model's thinking (theirs comes back signed), so it is left out, and a conversation
 * begun on such a model can fall back to or move to Anthropic or Gemini; on any other role they are
 * refused, as no client sends them there. Refused though known,
 * like their top-level namesakes: the deprecated `function_call` (the call an assistant message made
 * before tool_calls) and `audio` (an earlier audio answer, by id); a message holding only one of them
 * would otherwise be dropped with its turn. An adapter names the fields it translates beyond these
 * (`vendorFields`: Anthropic's cache_control). Null asks for nothing (an SDK echoing an answer back
 * sends `audio: null`, `function_call: null`), as at the top level.
 *
 * The refusal names the client's path in its 400; the attempt trail (which leaves the region) names only
 * the message or part holding it, as a field name the client chose is never logged
 * (unsupported-parameter-reason.ts). The checks walk keys the adapters read anyway, and allocate
 * nothing unless they refuse.
 *
 * @example refuseMessageFields({ role: "assistant", content: null, audio: { id: "a" } }, "messages[1]") // throws UnsupportedParameterError("messages[1].audio", ...)
 * @example refusePartFields({ type: "text", text: "hi", foo: 1 }, "messages[0].content[0]") // throws UnsupportedParameterError("messages[0].content[0].foo", ...)
 */
import { UnsupportedParameterError } from "./unsupported-parameter.ts";

export const NO_VENDOR_FIELDS: ReadonlySet<string> = new Set();

const MESSAGE_FIELDS: ReadonlySet<string> = new Set(["role", "content", "tool_calls", "tool_call_id", "refusal", "name", "annotations", "parsed"]);
/** An earlier answer's visible reasoning, echoed back on its assistant message. */
const ASSISTANT_ECHO_FIELDS: ReadonlySet<string> = new Set(["reasoning_content", "reasoning", "reasoning_details", "thinking_blocks"]);
const IMAGE_URL_FIELDS: ReadonlySet<string> = new Set(["url", "detail"]);
const FILE_FIELDS: ReadonlySet<string> = new Set(["file_data", "file_id", "filename"]);
/** The fields known inside the object a part's type names. */
const NESTED_FIELDS: ReadonlyMap<unknown, ReadonlySet<string>> = new Map([
  ["image_url", IMAGE_URL_FIELDS],
  ["file", FILE_FIELDS],
]);

const REFUSED_MESSAGE_FIELDS: Readonly<Record<string, string>> = {
  function_call: "This provider does not support the deprecated 'function_call' in a message; use 'tool_calls'.",
  audio: "This provider answers text only and cannot take an earlier audio answer; send its transcript as the message's content.",
};

/** A field of the client's naming under `holder`: the 400 names it, the trail only its holder. */
function refuseNested(holder: string, key: string, why: string): never {
  throw new UnsupportedParameterError(`${holder}.${key}`, why, holder);
}

export function refuseMessageFields(message: object, param: string, vendorFields: ReadonlySet<string> = NO_VENDOR_FIELDS): void {
  const fields = message as Record<string, unknown>;
  for (const key in fields) {
    if (MESSAGE_FIELDS.has(key) || vendorFields.has(key) || fields[key] == null) continue;
    if (fields.role === "assistant" && ASSISTANT_ECHO_FIELDS.has(key)) continue;
    if (Object.hasOwn(REFUSED_MESSAGE_FIELDS, key)) throw new UnsupportedParameterError(`${param}.${key}`, REFUSED_MESSAGE_FIELDS[key]!);
    refuseNested(param, key, `This provider does not support '${key}' in a message.`);
  }
}

/** `part` is a content part the request parser checked (an object with a string type). */
export function refusePartFields(part: object, param: string, vendorFields: ReadonlySet<string> = NO_VENDOR_FIELDS): void {
  const fields = part as Record<string, unknown>;
  for (const key in fields) {
    if (key === "type" || key === fields.type || vendorFields.has(key) || fields[key] == null) continue;
    refuseNested(param, key, `This provider does not support '${key}' in a content part.`);
  }
  const known = NESTED_FIELDS.get(fields.type);
  const nested = known === undefined ? null : fields[fields.type as string];
  if (known === undefined || typeof nested !== "object" || nested === null) return;
  const inner = nested as Record<string, unknown>;
  for (const key in inner) {
    if (!known.has(key) && inner[key] != null) refuseNested(`${param}.${fields.type as string}`, key, `This provider does not support '${key}' in a${fields.type === "image_url" ? "n" : ""} ${fields.type as string}.`);
  }
}
