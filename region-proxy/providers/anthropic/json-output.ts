/**
 * A JSON response_format as Anthropic's JSON outputs, `output_config.format: {type: "json_schema",
 * schema}` (https://platform.claude.com/docs/en/build-with-claude/structured-outputs; GA, no beta
 * header, the beta's top-level `output_format` deprecated for it), where the forced JSON tool
 * (tools.ts) cannot go: on Claude 5.1 and later, Haiku aside, which refuse forced tool use
 * (claude-generation.ts refusesForcedToolUse), and beside thinking that refuses it (a budget; adaptive
 * thinking on those models). Only on the models that take JSON outputs (takesJsonOutputs: Claude 4.5
 * and later by the version the id names, not a Bedrock or Vertex id); elsewhere the forced tool stays (or
 * is refused before the call, naming response_format, where forced tool use is), as it is taken on every
 * platform, where JSON outputs are not (Vertex AI has them off by default by organization policy;
 * Bedrock has answered "output_config.format: Extra inputs are not permitted" for some models,
 * vercel/ai#14773).
 *
 * The answer is a text block holding the JSON, which the response and stream translators already make
 * the message's content; grammar-constrained, so it follows the schema whatever OpenAI's `strict`
 * (stop_reason `refusal` or `max_tokens` aside: content_filter and length, the JSON maybe cut). The
 * schema goes as Anthropic's SDKs send one (strict-schema.ts: minimum, minLength... moved into the
 * description), with the json_schema's description first in the root description (the model reads
 * it; there is no other field for it). JSON outputs take the same schemas strict tool use takes; an
 * object listing its properties without additionalProperties is closed first, as the SDKs close it
 * (closed-objects.ts; not in a oneOf's parts nor what their $refs reach, where closing would widen it), so one they cannot express (strict-inexpressible.ts: recursion, an object open
 * to unlisted properties by additionalProperties true or a schema, or listing none),
 * and json_object, which has no schema to enforce, are a 400 naming response_format before the call:
 * this one where the model refuses forced tool use, thinking.ts's (drop the budget or the format) where
 * only the budget beside it does (Claude 4.5, 4.6), as the model takes the forced JSON tool without it.
 * Client tools stay as the client sent them: JSON outputs constrain the answer's text, not its calls.
 *
 * @example jsonOutputFormat({ type: "json_schema", json_schema: { name: "a", schema: { type: "object", properties: {}, additionalProperties: false } } }, "claude-opus-5-5", true) // { type: "json_schema", schema: { type: "object", properties: {}, additionalProperties: false } }
 */
import { withFormatDescription } from "../format-description.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { refusesForcedToolUse, takesJsonOutputs } from "./claude-generation.ts";
import { closeListedObjects } from "./closed-objects.ts";
import { strictCannotExpress } from "./strict-inexpressible.ts";
import { strictFormOf } from "./strict-schema.ts";
import { jsonSchemaOf } from "./tools.ts";

const WHY = "Here this model gives JSON only through Anthropic's JSON outputs (it cannot be forced to call the tool the gateway answers JSON with elsewhere), which enforce a schema";

/**
 * The output_config.format for this response_format, or null when the forced JSON tool is to be used
 * (or the format asks for no JSON). `forcedToolRefused`: the model, or the thinking beside it, refuses
 * forced tool use.
 */
export function jsonOutputFormat(responseFormat: unknown, model: string, forcedToolRefused: boolean): Record<string, unknown> | null {
  const f = responseFormat as { type?: unknown; json_schema?: { schema?: unknown; description?: unknown } } | null | undefined;
  if (f?.type !== "json_object" && f?.type !== "json_schema") return null;
  if (!forcedToolRefused || !takesJsonOutputs(model)) return null;
  // Where the budget beside it, not the model, refuses forced tool use, what JSON outputs cannot carry
  // goes on as the forced JSON tool, for thinking.ts refuseThinkingConflicts' 400: drop one of the two.
  const cannot = (why: string): null => {
    if (refusesForcedToolUse(model)) throw new UnsupportedParameterError("response_format", `${WHY}, and ${why}, or use another model.`);
    return null;
  };
  if (f.type === "json_object") return cannot("json_object has none: send response_format json_schema with one (every object closed with additionalProperties false)");
  // The schema as the JSON tool would take it (jsonSchemaOf refuses a json_schema that is no object, naming response_format).
  const schema = closeListedObjects(jsonSchemaOf(f)!.schema);
  const problem = strictCannotExpress(schema);
  if (problem) return cannot(`those cannot express ${problem} in this schema; simplify the schema`);
  return { type: "json_schema", schema: withFormatDescription(strictFormOf(schema), f.json_schema?.description) };
}
