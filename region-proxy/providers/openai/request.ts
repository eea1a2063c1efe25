/**
 * OpenAI request: the client body passes through (unknown fields included) with the deployment's
 * model, and streams always ask for the usage chunk, so every stream is priced even when the client
 * did not ask for usage (the translator strips that chunk again). A client that names no output cap
 * gets the one its reservation counted, when there is one (ChatRequest's outputCap), as
 * max_completion_tokens, which OpenAI refuses beside `prediction`: that pair is refused before the call
 * (./prediction-under-cap.ts). Gemini's thought signatures on replayed tool calls are left out (OpenAI
 * refuses the field), and so are `tools: []` and, without tools, a tool_choice or parallel_tool_calls
 * that forces nothing (./without-idle-tool-fields.ts). A service tier, audio or a separately billed
 * feature the gateway cannot price is refused (../service-tier.ts, ../unpriced-audio.ts,
 * ../unrecorded-charges.ts), and so is a relay's field choosing another model or endpoint
 * (../relay-routing.ts; sent as null, it is left out). A file part naming a stored file by file_id never gets here: the parser
 * refuses it (../../openai/vendor-file-references.ts).
 */
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import { outputCapOf, type ChatRequest, type VendorHttpRequest } from "../types.ts";
import { refuseUnpricedServiceTier } from "../service-tier.ts";
import { refuseUnpricedAudio } from "../unpriced-audio.ts";
import { refuseUnrecordedCharges } from "../unrecorded-charges.ts";
import { withoutRelayRouting } from "../relay-routing.ts";
import { madeOnce } from "../fetch-headers.ts";
import { refusePredictionUnderCap } from "./prediction-under-cap.ts";
import { withoutIdleToolFields } from "./without-idle-tool-fields.ts";

/**
 * The messages with Gemini's `extra_content` (its thought signature, ../gemini/thought-signature.ts)
 * left out of every assistant tool call: a history a Gemini deployment wrote carries it, and OpenAI
 * refuses a tool-call field it does not know ("Unknown parameter: 'messages[1].tool_calls[0].…'").
 * The field means nothing to any other vendor. Messages without it are passed as they are.
 */
const signed = (call: unknown): call is Record<string, unknown> => typeof call === "object" && call !== null && "extra_content" in call;
const signedCallsOf = (message: unknown): unknown[] | null => {
  const calls = (message as { tool_calls?: unknown } | null)?.tool_calls;
  return Array.isArray(calls) && calls.some(signed) ? calls : null;
};
const unsigned = (call: unknown) => {
  if (!signed(call)) return call;
  const { extra_content: _, ...rest } = call;
  return rest;
};

function withoutGeminiExtras(messages: unknown[]): unknown[] {
  // The usual request carries none: it is sent as it came, with no copy of its messages.
  if (!messages.some(signedCallsOf)) return messages;
  return messages.map((message) => {
    const calls = signedCallsOf(message);
    return calls === null ? message : { ...(message as object), tool_calls: calls.map(unsigned) };
  });
}

/** `https://api.openai.com/v1` + `/chat/completions`; a trailing slash on baseUrl is tolerated. */
export function chatCompletionsUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/chat/completions`;
}

/**
 * What every call to a deployment sends alike, made once per deployment (a snapshot's deployment
 * never changes; a new snapshot brings new objects) and per credential (a key read from a file may be
 * replaced): its URL, and its headers for an answer and for a stream. The records are shared by every
 * request to the deployment and frozen (the Azure adapter copies them), each with a Headers made once
 * for fetch (../fetch-headers.ts).
 */
interface SentAlike {
  url: string;
  credential: string;
  headers: Readonly<Record<string, string>>;
  streamHeaders: Readonly<Record<string, string>>;
}

const sentAlike = new WeakMap<SnapshotDeployment, SentAlike>();

function sentAlikeTo(target: SnapshotDeployment, credential: string): SentAlike {
  let alike = sentAlike.get(target);
  if (alike === undefined || alike.credential !== credential) {
    const authorization = `Bearer ${credential}`;
    alike = {
      url: alike?.url ?? chatCompletionsUrl(target.baseUrl),
      credential,
      headers: madeOnce({ authorization, "content-type": "application/json", accept: "application/json" }),
      streamHeaders: madeOnce({ authorization, "content-type": "application/json", accept: "text/event-stream" }),
    };
    sentAlike.set(target, alike);
  }
  return alike;
}

export function buildOpenAIRequest(req: ChatRequest, target: SnapshotDeployment, credential: string): VendorHttpRequest {
  refuseUnpricedServiceTier(req.raw);
  refuseUnpricedAudio(req.raw, req.messages);
  refuseUnrecordedCharges(req.raw);
  const routed = withoutRelayRouting(req.raw);
  // OpenAI rejects stream_options without stream (and `delete` would make the body a slow dictionary
  // object); a body without them (the usual one) is copied once, below, not twice.
  const clientOptions = routed.stream_options;
  const rest = "stream_options" in routed ? withoutStreamOptions(routed) : routed;
  // tools: [], and without tools a tool_choice or parallel_tool_calls that forces nothing, are left out (OpenAI refuses them).
  const body: Record<string, unknown> = { ...withoutIdleToolFields(rest), model: target.model };
  if (Array.isArray(rest.messages)) body.messages = withoutGeminiExtras(rest.messages);
  // The client's own cap passes as sent; with none, the cap its budget or TPM reservation counted.
  const cap = outputCapOf(req);
  if (cap && !cap.fromClient) {
    refusePredictionUnderCap(req.raw, cap.send);
    body.max_completion_tokens = cap.send;
  }
  if (req.stream) {
    const options = typeof clientOptions === "object" && clientOptions !== null ? clientOptions : {};
    body.stream_options = { ...options, include_usage: true };
  }
  const alike = sentAlikeTo(target, credential);
  return { url: alike.url, method: "POST", headers: req.stream ? alike.streamHeaders : alike.headers, body: JSON.stringify(body) };
}

function withoutStreamOptions(body: Record<string, unknown>): Record<string, unknown> {
  const { stream_options: _, ...rest } = body;
  return rest;
}
