/**
 * Gemini's rule for function names: a letter or an underscore first, then a-z A-Z 0-9 _ . : -, at most
 * 64 in all. It refuses the whole request over any other (400 "Invalid function name. Must start with a
 * letter or an underscore..."), names OpenAI takes ("1password_lookup", "-x") included; such a name is
 * refused here before the call, naming `param`, so a chain skips this deployment for one that takes it.
 * Checked on declarations, a named tool_choice and the function calls of the history.
 *
 * @example geminiFunctionName("1password_lookup", "tools[0].function.name") // throws UnsupportedParameterError
 */
import { UnsupportedParameterError } from "../unsupported-parameter.ts";

const GEMINI_FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;

/** `name`, when Gemini takes it as a function name; otherwise an UnsupportedParameterError naming `param`. */
export function geminiFunctionName(name: string, param: string): string {
  if (GEMINI_FUNCTION_NAME.test(name)) return name;
  throw new UnsupportedParameterError(param, "This provider takes function names that start with a letter or an underscore, followed by letters, digits, '_', '.', ':' or '-', 64 characters at most.");
}
