/**
 * OpenAI's `allowed_tools` tool_choice, `{type: "allowed_tools", allowed_tools: {mode, tools}}`
 * (https://platform.openai.com/docs/api-reference/chat/create): the model may call only the listed
 * tools, `auto` letting it answer in text instead, `required` making it call one or more. Read here for
 * the translating adapters (Gemini's allowedFunctionNames, Anthropic's tool_choice), which refuse what
 * they cannot send before the call, naming the field: a mode other than those two, an empty list, an
 * entry that is not a function by name, or a name that is none of the request's function tools (which
 * the vendor would refuse, or the model could never call).
 *
 * @example allowedTools({ type: "allowed_tools", allowed_tools: { mode: "required", tools: [{ type: "function", function: { name: "f" } }] } }, [{ type: "function", function: { name: "f" } }]) // { mode: "required", names: ["f"] }
 */
import { UnsupportedParameterError } from "./unsupported-parameter.ts";
import { isRecord } from "../../shared/is-record.ts";

export interface AllowedTools {
  mode: "auto" | "required";
  /** The allowed functions' names, as listed. */
  names: string[];
}


/** The mode of an allowed_tools tool_choice as sent (unchecked), or undefined when the choice is not one. */
export function allowedMode(choice: unknown): unknown {
  return isRecord(choice) && choice.type === "allowed_tools" && isRecord(choice.allowed_tools) ? choice.allowed_tools.mode : undefined;
}

/** The allowed set a tool_choice names, or null when it is not an allowed_tools choice; `tools` are the request's. */
export function allowedTools(choice: unknown, tools: readonly unknown[] | undefined): AllowedTools | null {
  if (!isRecord(choice) || choice.type !== "allowed_tools") return null;
  const allowed = choice.allowed_tools;
  if (!isRecord(allowed)) throw new UnsupportedParameterError("tool_choice.allowed_tools", "allowed_tools must be an object with a mode and a list of tools.");
  const { mode, tools: listed } = allowed;
  if (mode !== "auto" && mode !== "required") throw new UnsupportedParameterError("tool_choice.allowed_tools.mode", "allowed_tools.mode must be 'auto' or 'required'.");
  if (!Array.isArray(listed) || listed.length === 0) throw new UnsupportedParameterError("tool_choice.allowed_tools.tools", "allowed_tools.tools must list at least one tool.");
  const declared = new Set((tools ?? []).flatMap((tool) => (isRecord(tool) && tool.type === "function" && isRecord(tool.function) && typeof tool.function.name === "string" ? [tool.function.name] : [])));
  const names = listed.map((entry, i) => {
    const name = isRecord(entry) && entry.type === "function" && isRecord(entry.function) ? entry.function.name : undefined;
    if (typeof name !== "string") throw new UnsupportedParameterError(`tool_choice.allowed_tools.tools[${i}]`, "This provider takes allowed tools of type 'function' with a name: {type: 'function', function: {name}}.");
    if (!declared.has(name)) throw new UnsupportedParameterError(`tool_choice.allowed_tools.tools[${i}]`, `No function named '${name}' is in 'tools'.`);
    return name;
  });
  return { mode, names };
}
