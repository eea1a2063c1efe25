/**
 * A Messages request as the Anthropic fake reads it: every field it reads is checked first, and a
 * wrong one is the message of Anthropic's 400 invalid_request_error, in the API's `path: problem`
 * words (`messages.0.content: Input should be a valid list`), never a TypeError. Optional fields given
 * as null count as not given. A text block (tool_result content included) or stop sequence that is
 * empty or only whitespace is refused as Anthropic refuses it, and so is a final assistant turn whose
 * text ends in whitespace, a tool whose name is not 1 to 128 of a-z A-Z 0-9 _ - (a tool_use block's
 * name may be any 1 to 200 characters), two tools of one name, a tool whose input_schema has no `type`, has anyOf/oneOf/allOf at its
 * top level or a draft-07 tuple `items` list anywhere (not draft 2020-12), a strict tool whose
 * input_schema strict tool use does not support (anthropic-strict-schema.ts), and a tool_use id (or
 * tool_result tool_use_id) with characters outside ^[a-zA-Z0-9_-]+$, and so are tool_use and
 * tool_result blocks that do not pair up (anthropic-tool-pairing.ts), tool_use or tool_result blocks
 * in a request without tools (toolsUndefinedProblem), and what the model asked for does not take
 * (anthropic-model-limits.ts), a cache_control Anthropic would refuse (anthropic-cache.ts), and a
 * base64 image whose media_type is not one it takes or not the type of its bytes (anthropic-image.ts),
 * a base64 document that is not a PDF (anthropic-document.ts), an image or document block in an
 * assistant turn (notInAssistantTurns), a metadata.user_id over 512 characters (metadataProblem), more images and documents than the model takes (mediaProblem), extended thinking Anthropic would refuse, or thinking blocks it did not give (anthropic-thinking.ts), and JSON outputs (output_config.format) on a model without them or with a schema they cannot express (anthropic-json-output.ts).
 *
 * @example readMessagesRequest({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }).stopSequences // []
 */
import { cacheControlProblem } from "./anthropic-cache.ts";
import { documentBlockProblem } from "./anthropic-document.ts";
import { imageBlockProblem, manyImagesProblem } from "./anthropic-image.ts";
import { readJsonOutput } from "./anthropic-json-output.ts";
import { generation, modelLimitProblem } from "./anthropic-model-limits.ts";
import { strictSchemaProblem } from "./anthropic-strict-schema.ts";
import { readThinking, thinkingProblem } from "./anthropic-thinking.ts";
import { toolPairingProblem } from "./anthropic-tool-pairing.ts";
import { schemaChildren } from "./schema-children.ts";

export interface Block {
  type: string;
  text?: string;
  /** A tool_result's content: text, or blocks. */
  content?: unknown;
}
export type AnthropicMessage = { role: string; content: string | Block[] };

export interface MessagesRequest {
  model: string;
  maxTokens: number;
  messages: AnthropicMessage[];
  /** The tools' names, in order. */
  tools: string[];
  toolChoice: { type: string; name?: string } | undefined;
  stopSequences: string[];
  stream: boolean;
  /** The thinking budget asked for, null when thinking is off (anthropic-thinking.ts). */
  thinkingBudget: number | null;
  /** Whether the thinking text is shown (display "summarized") or omitted (anthropic-thinking.ts). */
  thinkingShown: boolean;
  /** The schema JSON outputs (output_config.format) are to follow, null when none (anthropic-json-output.ts). */
  jsonSchema: Record<string, unknown> | null;
}

const CHOICES = ["auto", "any", "tool", "none"];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
/** Why a required string is wrong, or null when it is a string. */
const stringProblem = (path: string, value: unknown) => (value == null ? `${path}: Field required` : typeof value === "string" ? null : `${path}: Input should be a valid string`);

/**
 * Anthropic's 400 for a text block with no text to read, which it checks once the request parses
 * ("messages: text content blocks must contain non-whitespace text"), or null. A tool_result's
 * content is text too, given as a string or as blocks: blank there is refused the same way (a
 * tool_result without content is not).
 */
function blankTextProblem(messages: AnthropicMessage[]): string | null {
  const blank = (text: unknown) =>
    text === "" ? "messages: text content blocks must be non-empty" : typeof text === "string" && text.trim() === "" ? "messages: text content blocks must contain non-whitespace text" : null;
  const inBlocks = (blocks: unknown[]): string | null => {
    for (const block of blocks) {
      if (!isObject(block)) continue;
      const problem = block.type === "text" ? blank(block.text) : block.type === "tool_result" ? toolResultProblem(block.content) : null;
      if (problem) return problem;
    }
    return null;
  };
  const toolResultProblem = (content: unknown) => (typeof content === "string" ? blank(content) : Array.isArray(content) ? inBlocks(content) : null);
  for (const m of messages) {
    if (typeof m.content === "string") continue;
    const problem = inBlocks(m.content);
    if (problem) return problem;
  }
  return null;
}

/**
 * Anthropic's 400 for a final assistant turn (a prefill, which the model continues) whose text ends
 * in whitespace, or null: "messages: final assistant content cannot end with trailing whitespace".
 * Only the end of the last message is read; earlier turns may end as they like.
 */
function trailingWhitespaceProblem(messages: AnthropicMessage[]): string | null {
  const last = messages.at(-1);
  if (last?.role !== "assistant") return null;
  const end = typeof last.content === "string" ? last.content : last.content.at(-1)?.type === "text" ? last.content.at(-1)!.text : undefined;
  return typeof end === "string" && /\s$/.test(end) ? "messages: final assistant content cannot end with trailing whitespace" : null;
}

/** Anthropic's 400 for a tool_use id or a tool_result's tool_use_id that is not an id it makes, or null. */
const TOOL_ID = /^[a-zA-Z0-9_-]+$/;
const toolIdProblem = (path: string, id: unknown) => stringProblem(path, id) ?? (TOOL_ID.test(id as string) ? null : `${path}: String should match pattern '${TOOL_ID.source}'`);

/**
 * Anthropic's 400 for a media block in an assistant turn, which only user turns may hold:
 * "messages.1.content: 'image' blocks are not permitted within assistant turns."
 * (epam/ai-dial-adapter-bedrock#306); a document block in the same words (no source seen quotes its
 * text for documents; the rule is the same). `i` numbers the message in Anthropic's `messages`.
 */
const notInAssistantTurns = (i: number, type: string) => `messages.${i}.content: '${type}' blocks are not permitted within assistant turns.`;

function messagesProblem(value: unknown): string | null {
  if (value == null) return "messages: Field required";
  if (!Array.isArray(value)) return "messages: Input should be a valid list";
  if (value.length === 0) return "messages: at least one message is required";
  for (const [i, m] of value.entries()) {
    if (!isObject(m)) return `messages.${i}: Input should be a valid dictionary`;
    if (m.role !== "user" && m.role !== "assistant") return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (m.content == null) return `messages.${i}.content: Field required`;
    if (typeof m.content === "string") continue;
    if (!Array.isArray(m.content)) return `messages.${i}.content: Input should be a valid list`;
    for (const [j, block] of m.content.entries()) {
      if (!isObject(block)) return `messages.${i}.content.${j}: Input should be a valid dictionary`;
      const at = `messages.${i}.content.${j}`;
      const problem =
        stringProblem(`${at}.type`, block.type) ??
        (block.type === "text" ? stringProblem(`${at}.text`, block.text) : null) ??
        (block.type === "image" ? (m.role === "assistant" ? notInAssistantTurns(i, block.type) : imageBlockProblem(at, block)) : null) ??
        (block.type === "document" ? (m.role === "assistant" ? notInAssistantTurns(i, block.type) : documentBlockProblem(at, block)) : null) ??
        (block.type === "tool_use" ? toolIdProblem(`${at}.tool_use.id`, block.id) ?? toolUseNameProblem(`${at}.tool_use.name`, block.name) : null) ??
        (block.type === "tool_result" ? toolIdProblem(`${at}.tool_result.tool_use_id`, block.tool_use_id) : null);
      if (problem) return problem;
    }
  }
  return null;
}

/**
 * Anthropic's 400 for a request whose messages hold tool_use or tool_result blocks but that defines no
 * tools, or null (anthropics/anthropic-sdk-python#494, BerriAI/litellm#4689). OpenAI takes such a
 * request: its function-calling guide's second call sends the history without tools.
 */
function toolsUndefinedProblem(messages: AnthropicMessage[], tools: string[]): string | null {
  if (tools.length > 0) return null;
  const usesTools = messages.some((m) => Array.isArray(m.content) && m.content.some((b) => b.type === "tool_use" || b.type === "tool_result"));
  return usesTools ? "Requests which include `tool_use` or `tool_result` blocks must define tools." : null;
}

/** Whether some node of the schema has a draft-07 tuple `items` (a list), which draft 2020-12 does not take. */
const hasItemsList = (node: Record<string, unknown>): boolean => Array.isArray(node.items) || schemaChildren(node).some(hasItemsList);

/**
 * Anthropic's 400 for a tool's input_schema that is missing, not an object, without `type`, with
 * anyOf, oneOf or allOf at its top level (alternatives below the root are taken), or not valid draft
 * 2020-12 (an `items` that is a list, the draft-07 tuple form, anywhere), or null.
 */
function inputSchemaProblem(path: string, schema: unknown): string | null {
  if (schema == null) return `${path}: Field required`;
  if (!isObject(schema)) return `${path}: Input should be a valid dictionary`;
  if (schema.type == null) return `${path}.type: Field required`;
  if (["oneOf", "allOf", "anyOf"].some((key) => schema[key] != null)) return `${path}: input_schema does not support oneOf, allOf, or anyOf at the top level`;
  return hasItemsList(schema)
    ? `${path}: JSON schema is invalid. It must match JSON Schema draft 2020-12 (https://json-schema.org/draft/2020-12). Learn more about tool use at https://docs.claude.com/en/docs/tool-use.`
    : null;
}

/** Anthropic's 400 for a tool's name that is not 1 to 128 of a-z A-Z 0-9 _ -, or null. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const toolNameProblem = (path: string, name: unknown) => stringProblem(path, name) ?? (TOOL_NAME.test(name as string) ? null : `${path}: String should match pattern '${TOOL_NAME.source}'`);

/** Anthropic's 400 for a tool_use block's name (any string of 1 to 200 characters), or null. */
function toolUseNameProblem(path: string, name: unknown): string | null {
  const problem = stringProblem(path, name);
  if (problem) return problem;
  if ((name as string).length < 1) return `${path}: String should have at least 1 character`;
  return (name as string).length > 200 ? `${path}: String should have at most 200 characters` : null;
}

function readTools(value: unknown): string[] | string {
  if (value == null) return [];
  if (!Array.isArray(value)) return "tools: Input should be a valid list";
  for (const [i, tool] of value.entries()) {
    if (!isObject(tool)) return `tools.${i}: Input should be a valid dictionary`;
    const problem = toolNameProblem(`tools.${i}.custom.name`, tool.name) ?? inputSchemaProblem(`tools.${i}.custom.input_schema`, tool.input_schema);
    if (problem) return problem;
    if (tool.strict != null && typeof tool.strict !== "boolean") return `tools.${i}.custom.strict: Input should be a valid boolean`;
    const strict = tool.strict === true ? strictSchemaProblem(tool.input_schema as Record<string, unknown>) : null;
    if (strict) return `tools.${i}.custom: ${strict}`;
  }
  const names = value.map((tool) => tool.name as string);
  return new Set(names).size < names.length ? "tools: Tool names must be unique." : names;
}

function readToolChoice(value: unknown): MessagesRequest["toolChoice"] | string {
  if (value == null) return undefined;
  if (!isObject(value)) return "tool_choice: Input should be a valid dictionary";
  if (value.type == null) return "tool_choice: Unable to extract tag using discriminator 'type'";
  if (typeof value.type !== "string" || !CHOICES.includes(value.type)) {
    return `tool_choice: Input tag '${String(value.type)}' found using 'type' does not match any of the expected tags: ${CHOICES.map((c) => `'${c}'`).join(", ")}`;
  }
  if (value.type !== "tool") return { type: value.type };
  return stringProblem("tool_choice.tool.name", value.name) ?? { type: "tool", name: value.name as string };
}

function readStopSequences(value: unknown): string[] | string {
  if (value == null) return [];
  if (!Array.isArray(value)) return "stop_sequences: Input should be a valid list";
  const bad = value.findIndex((s) => typeof s !== "string");
  if (bad >= 0) return `stop_sequences.${bad}: Input should be a valid string`;
  if (value.some((s: string) => s.trim() === "")) return "stop_sequences: each stop sequence must contain non-whitespace";
  return value as string[];
}

/**
 * Anthropic's 400 for more than 100 images and document pages in a request to a 200k-context model
 * (before Claude 4.6 by an id naming its version), 600 to any other, nested in tool_result content too
 * (anthropics/claude-code#19822), or null; the fake counts a document as one page.
 */
function mediaProblem(messages: AnthropicMessage[], model: string): string | null {
  const g = generation(model);
  const most = g !== null && g < 46 ? 100 : 600;
  let images = 0;
  let pages = 0;
  const count = (blocks: unknown[]) => {
    for (const block of blocks) {
      if (!isObject(block)) continue;
      if (block.type === "image") images++;
      else if (block.type === "document") pages++;
      else if (block.type === "tool_result" && Array.isArray(block.content)) count(block.content);
    }
  };
  for (const m of messages) if (Array.isArray(m.content)) count(m.content);
  if (images + pages > most) return `Too much media: ${pages} document pages + ${images} images > ${most}`;
  const located = messages.flatMap((m, i) => (Array.isArray(m.content) ? m.content.flatMap((block, j) => (isObject(block) && block.type === "image" ? [{ at: `messages.${i}.content.${j}`, block }] : [])) : []));
  return manyImagesProblem(located);
}

/**
 * Anthropic's 400 for a metadata that is not an object or whose user_id is not a string of at most 512
 * characters (the Messages API reference: "maxLength 512"), or null.
 */
function metadataProblem(value: unknown): string | null {
  if (value == null) return null;
  if (!isObject(value)) return "metadata: Input should be a valid dictionary";
  if (value.user_id == null) return null;
  if (typeof value.user_id !== "string") return "metadata.user_id: Input should be a valid string";
  return [...value.user_id].length > 512 ? "metadata.user_id: String should have at most 512 characters" : null;
}

/** The request, or the message of the 400 that refuses it. */
export function readMessagesRequest(body: Record<string, unknown>): MessagesRequest | string {
  const model = stringProblem("model", body.model);
  if (model) return model;
  const maxTokens = body.max_tokens;
  if (maxTokens == null) return "max_tokens: Field required";
  if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens)) return "max_tokens: Input should be a valid integer";
  if (maxTokens < 1) return "max_tokens: Input should be greater than or equal to 1";
  const messages = messagesProblem(body.messages);
  if (messages) return messages;
  const tools = readTools(body.tools);
  if (typeof tools === "string") return tools;
  const toolChoice = readToolChoice(body.tool_choice);
  if (typeof toolChoice === "string") return toolChoice;
  const stopSequences = readStopSequences(body.stop_sequences);
  if (typeof stopSequences === "string") return stopSequences;
  if (body.stream != null && typeof body.stream !== "boolean") return "stream: Input should be a valid boolean";
  const metadata = metadataProblem(body.metadata);
  if (metadata) return metadata;
  const blank = blankTextProblem(body.messages as AnthropicMessage[]);
  if (blank) return blank;
  const trailing = trailingWhitespaceProblem(body.messages as AnthropicMessage[]);
  if (trailing) return trailing;
  const media = mediaProblem(body.messages as AnthropicMessage[], body.model as string);
  if (media) return media;
  const pairing = toolPairingProblem(body.messages as AnthropicMessage[]);
  if (pairing) return pairing;
  const undefinedTools = toolsUndefinedProblem(body.messages as AnthropicMessage[], tools);
  if (undefinedTools) return undefinedTools;
  const limit = modelLimitProblem(body);
  if (limit) return limit;
  const cache = cacheControlProblem(body);
  if (cache) return cache;
  const thinking = readThinking(body);
  if (typeof thinking === "string") return thinking;
  const thinkingIssue = thinkingProblem(body, thinking.budget, thinking.adaptive);
  if (thinkingIssue) return thinkingIssue;
  const jsonSchema = readJsonOutput(body);
  if (typeof jsonSchema === "string") return jsonSchema;
  return { model: body.model as string, maxTokens, messages: body.messages as AnthropicMessage[], tools, toolChoice, stopSequences, stream: body.stream === true, thinkingBudget: thinking.budget, thinkingShown: thinking.shown, jsonSchema };
}
