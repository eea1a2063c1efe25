/**
 * What the OpenAI and Azure OpenAI fakes share: Azure serves OpenAI's Chat Completions and Embeddings
 * wire formats, so both fakes read a request and build an embedding the same way; they differ in
 * paths, keys, error words, ids and Azure's content-filter annotations.
 */
export type ChatMessage = { role: string; content: unknown };

/** A 400 in OpenAI's words (Azure answers the same for OpenAI's parameters); each fake renders it as its error JSON. */
export class Refusal {
  constructor(
    readonly message: string,
    readonly param: string | null,
    readonly code: string | null,
  ) {}
}

/** How OpenAI's validation names a JSON value's type: "Invalid type for 'x': expected …, but got a string instead." */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a decimal";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}
export type ChatTool = { function: { name: string } };

/** What a chat request asks the fake to answer. */
export interface ChatPlan {
  messages: ChatMessage[];
  tools: ChatTool[];
  /** The last user text (or "tool result received" after a tool result), which the answer echoes. */
  userText: string;
  /** The function to call: forced by tool_choice, or the first tool when the user text says "call tool". */
  callName: string | undefined;
  /** The answer's text: "" when a tool is called, JSON `{"echo": …}` under response_format json_object/json_schema. */
  text: string;
}

function lastUserText(messages: ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === "tool") return "tool result received";
    if (m.role !== "user") continue;
    if (typeof m.content === "string") return m.content;
    if (Array.isArray(m.content)) return m.content.filter((p: { type?: string }) => p.type === "text").map((p: { text?: string }) => p.text ?? "").join(" ");
  }
  return "";
}

export function planChat(body: Record<string, unknown>): ChatPlan {
  const messages = body.messages as ChatMessage[];
  const userText = lastUserText(messages);
  const tools = (body.tools as ChatTool[] | undefined) ?? [];
  const choice = body.tool_choice as string | { function?: { name?: string } } | undefined;
  const forced = typeof choice === "object" ? choice.function?.name : choice === "required" ? tools[0]?.function.name : undefined;
  const callName = tools.length > 0 && choice !== "none" ? (forced ?? (userText.includes("call tool") ? tools[0]!.function.name : undefined)) : undefined;
  const format = (body.response_format as { type?: string } | undefined)?.type;
  const text = callName ? "" : format === "json_object" || format === "json_schema" ? JSON.stringify({ echo: userText }) : `Echo: ${userText}`;
  return { messages, tools, userText, callName, text };
}

/** A deterministic vector from the text, so equal inputs embed equally and different ones mostly not. */
function vector(text: string, dimensions: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < dimensions; i++) out.push(Math.sin(text.length + i * 0.7 + (text.charCodeAt(i % Math.max(1, text.length)) || 0)) / Math.sqrt(dimensions));
  return out;
}

/** The `data` of an embeddings list: floats, or base64 of little-endian float32 (`encoding_format: "base64"`). */
export function embeddingData(inputs: string[], dimensions: number, base64: boolean): { object: "embedding"; index: number; embedding: number[] | string }[] {
  return inputs.map((text, index) => {
    const values = vector(text, dimensions);
    return { object: "embedding", index, embedding: base64 ? Buffer.from(new Float32Array(values).buffer).toString("base64") : values };
  });
}

/**
 * The largest `dimensions` a model takes: text-embedding-3-large 3072, text-embedding-3-small 1536
 * (https://platform.openai.com/docs/guides/embeddings#how-to-get-embeddings); text-embedding-ada-002
 * takes none ("Only supported in text-embedding-3 and later models",
 * https://platform.openai.com/docs/api-reference/embeddings/create#embeddings-create-dimensions).
 * Any other name (the tests' own, like text-embedding-fake) is held to -small's 1536.
 */
export function maxDimensions(model: string): number | null {
  if (model.includes("ada-002")) return null;
  return model.includes("text-embedding-3-large") ? 3072 : 1536;
}

/** `dimensions` as the model allows it; null and absent are "not given" (the model's default, `fallback` here). */
export function readDimensions(value: unknown, model: string, fallback: number): number | Refusal {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value)) return new Refusal(`Invalid type for 'dimensions': expected an integer, but got ${typeName(value)} instead.`, "dimensions", "invalid_type");
  const max = maxDimensions(model);
  if (max === null) return new Refusal("This model does not support specifying dimensions.", "dimensions", null);
  if (value < 1) return new Refusal(`Invalid 'dimensions': integer below minimum value. Expected a value >= 1, but got ${value} instead.`, "dimensions", "integer_below_min_value");
  if (value > max) return new Refusal(`Invalid 'dimensions': integer above maximum value. Expected a value <= ${max}, but got ${value} instead.`, "dimensions", "integer_above_max_value");
  return value;
}
