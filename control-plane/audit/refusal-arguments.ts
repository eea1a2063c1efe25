/**
 * The arguments a `refused.<field>` audit row keeps beside its code and message: only those from closed
 * sets — a role, a kind (a kill switch's target, a principal, a tenant), an operation's `op` — found by
 * name wherever they sit (input, target, operations), and only when the value is shaped like such a word.
 * No other argument is read: free text (a reason, a description), ids, names and secrets never reach the
 * row, which every viewer reads and nobody can remove. A path is kept only through keys named like our
 * arguments: on a refusal before any resolver ran, the keys are the caller's own (`{ "sk-proj-…": { role } }`).
 */

const CLOSED_SET_NAMES = new Set(["role", "kind", "op"]);
/** Lowercase words, `_` and `.` ("tenant_admin", "price.set"): nothing a secret or a sentence fits. */
const CLOSED_SET_VALUE = /^[a-z][a-z_.]{0,39}$/;
/** A path segment: an argument or input field name of the API (camelCase, short) or a list index; no secret or long word fits. */
const ARGUMENT_NAME = /^(?:[a-z][A-Za-z]{0,39}|[0-9]{1,4})$/;
/** Bounds on what is kept and walked: a refused proposal may carry thousands of operations. */
const MAX_KEPT = 20;
const MAX_VISITED = 1000;
const MAX_DEPTH = 4;

/**
 * The closed-set arguments by their path, or undefined when there are none.
 *
 * @example refusalArguments({ input: { principalId: "prn_1", role: "admin" } }) // { "input.role": "admin" }
 */
export function refusalArguments(args: Record<string, unknown>): Record<string, string> | undefined {
  const kept: Record<string, string> = {};
  let keptCount = 0;
  let visited = 0;
  const walk = (value: unknown, path: string, depth: number): void => {
    if (depth > MAX_DEPTH || value === null || typeof value !== "object") return;
    for (const [name, child] of Object.entries(value)) {
      if (keptCount >= MAX_KEPT || ++visited > MAX_VISITED) return;
      if (!ARGUMENT_NAME.test(name)) continue;
      const at = path ? `${path}.${name}` : name;
      if (CLOSED_SET_NAMES.has(name) && typeof child === "string" && CLOSED_SET_VALUE.test(child)) {
        kept[at] = child;
        keptCount++;
      } else {
        walk(child, at, depth + 1);
      }
    }
  };
  walk(args, "", 0);
  return keptCount > 0 ? kept : undefined;
}
