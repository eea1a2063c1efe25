/**
 * Checks `tools`, `tool_choice` and `response_format` of a chat request and names the offending field
 * (https://platform.openai.com/docs/api-reference/chat/create). Only their shape: what a vendor can
 * honour is its adapter's business (UnsupportedParameterError). A function's and a json_schema's
 * `description` and `strict` have OpenAI's types (openai-python FunctionDefinition, JSONSchema: a
 * string, a boolean or null; null is no value), since the translating adapters read them by type and
 * would send another as no description, or as not strict. A function's `parameters` and a
 * json_schema's `schema` are an object or null, which is none (go-openai sends `"parameters": null`
 * for a tool without any; the adapters read it so: tool-parameters.ts).
 */
import { allowedMode } from "../providers/allowed-tools.ts";
import type { FieldProblem } from "./check-message.ts";
import { isRecord } from "../../shared/is-record.ts";
import { given } from "./given.ts";

const problem = (param: string, expected: string): FieldProblem => ({ param, message: `Invalid '${param}': ${expected}.` });
const FUNCTION_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** `description` a string and `strict` a boolean in a function or json_schema object at `at`, when given. */
function describedStrictProblem(holder: Record<string, unknown>, at: string): FieldProblem | null {
  if (given(holder.description) && typeof holder.description !== "string") return problem(`${at}.description`, "expected a string");
  if (given(holder.strict) && typeof holder.strict !== "boolean") return problem(`${at}.strict`, "expected a boolean");
  return null;
}

export function checkTools(body: Record<string, unknown>): FieldProblem | null {
  const tools = body.tools;
  if (given(tools)) {
    if (!Array.isArray(tools)) return problem("tools", "expected an array");
    for (let i = 0; i < tools.length; i++) {
      const tool = tools[i];
      if (!isRecord(tool) || typeof tool.type !== "string") return problem(`tools[${i}].type`, "expected a tool with a string 'type'");
      if (tool.type !== "function") continue; // other tool types are the vendor's to accept or refuse
      const fn = tool.function;
      if (!isRecord(fn)) return problem(`tools[${i}].function`, "expected an object");
      if (typeof fn.name !== "string" || !FUNCTION_NAME.test(fn.name)) return problem(`tools[${i}].function.name`, "expected 1-64 characters of a-z A-Z 0-9 _ . -");
      if (given(fn.parameters) && !isRecord(fn.parameters)) return problem(`tools[${i}].function.parameters`, "expected a JSON Schema object");
      const typed = describedStrictProblem(fn, `tools[${i}].function`);
      if (typed) return typed;
    }
  }
  const choice = body.tool_choice;
  if (given(choice)) {
    const named = isRecord(choice) && choice.type === "function" && isRecord(choice.function) && typeof choice.function.name === "string";
    if (!(choice === "none" || choice === "auto" || choice === "required" || named || (isRecord(choice) && choice.type !== "function" && typeof choice.type === "string"))) {
      return problem("tool_choice", "expected 'none', 'auto', 'required' or {type: 'function', function: {name}}");
    }
    const forced = forcedCallProblem(choice, Array.isArray(tools) ? tools : []);
    if (forced) return forced;
  }
  const format = body.response_format;
  if (given(format)) {
    if (!isRecord(format) || typeof format.type !== "string") return problem("response_format.type", "expected 'text', 'json_object' or 'json_schema'");
    if (!["text", "json_object", "json_schema"].includes(format.type)) return problem("response_format.type", "expected 'text', 'json_object' or 'json_schema'");
    if (format.type === "json_schema") {
      const schema = format.json_schema;
      if (!isRecord(schema)) return problem("response_format.json_schema", "expected an object");
      if (typeof schema.name !== "string" || !FUNCTION_NAME.test(schema.name)) return problem("response_format.json_schema.name", "expected 1-64 characters of a-z A-Z 0-9 _ . -");
      if (given(schema.schema) && !isRecord(schema.schema)) return problem("response_format.json_schema.schema", "expected a JSON Schema object");
      const typed = describedStrictProblem(schema, "response_format.json_schema");
      if (typed) return typed;
    }
  }
  return null;
}

/**
 * A choice that forces a call needs a tool to call, as OpenAI answers ("'tool_choice' is only allowed
 * when 'tools' are specified"); a vendor without that check (Gemini's adapter drops a tool_choice when
 * there are no tools) would answer as if no tool were forced. Forcing: "required", a named function, a
 * named custom tool (`{type: "custom", custom: {name}}`, GPT-5 custom tools) and allowed_tools in mode
 * "required"; a named function or custom tool must also be among the tools, of its kind. "auto",
 * "none" and allowed_tools in mode "auto" force nothing and pass.
 */
function forcedCallProblem(choice: unknown, tools: unknown[]): FieldProblem | null {
  const kind = forcingKind(choice);
  if (kind === null) return null;
  if (tools.length === 0) return problem("tool_choice", "a call is forced but no 'tools' are specified");
  if (kind === "function" || kind === "custom") {
    const named = ((choice as Record<string, unknown>)[kind] as Record<string, unknown> | undefined)?.name;
    if (typeof named !== "string") return null; // a malformed named choice is the vendor's to refuse
    const present = tools.some((tool) => isRecord(tool) && tool.type === kind && isRecord(tool[kind]) && tool[kind].name === named);
    if (!present) return problem(`tool_choice.${kind}.name`, `no ${kind === "function" ? "function" : "custom tool"} named '${named}' in 'tools'`);
  }
  return null;
}

/** How a tool_choice forces a call ("required", or the kind of tool it names), or null when it forces none. */
function forcingKind(choice: unknown): "required" | "function" | "custom" | null {
  if (choice === "required") return "required";
  if (!isRecord(choice)) return null;
  if (choice.type === "function" || choice.type === "custom") return choice.type;
  if (allowedMode(choice) === "required") return "required";
  return null;
}
