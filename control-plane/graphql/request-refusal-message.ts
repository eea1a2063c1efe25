/**
 * The message of a request refused before any resolver ran, as the audit log may keep it. graphql-js
 * quotes the values a caller sent in its refusals (`Variable "$i" got invalid value { …, apiKey:
 * "sk-…" }; Field "apiKey" is not defined…`, `Expected value of type "String!", found {key: "sk-…"}`),
 * and the audit log is append-only and read by every viewer: a vendor key an admin sent by mistake
 * would stay there for good. So the value graphql-js printed is cut out of the sentences known to
 * print one, and only sentences of known shapes are kept, naming nothing but names (fields, types,
 * variables, argument paths) and our own counts; a message of any other shape is not kept at all.
 */

const NAME = "[_A-Za-z][_0-9A-Za-z]*";
const TYPE = `\\[*${NAME}!?(?:\\]!?)*`;
const PATH = `${NAME}(?:\\.${NAME}|\\[[0-9]+\\])*`;
/** graphql-js's didYouMean suffix: ` Did you mean "a"?`, `"a" or "b"?`, `"a", "b", or "c"?` (schema names). */
const SUGGESTIONS = `(?: Did you mean (?:"${NAME}"(?:, or |, | or )?)+\\?)?`;

/** Sentences that print the caller's value, and what of each is kept: the value, and all after it, cut. */
const CUT: [RegExp, string][] = [
  // Validation: a literal of the wrong type (and the scalar's refusal quoting it again after "; ").
  [new RegExp(`^(Expected value of type "${TYPE}"), found [\\s\\S]*$`), "$1."],
  // Variable coercion: a scalar's refusal that is not a GraphQLError, after the type it expected.
  [new RegExp(`^(Expected type "${NAME}")\\. [\\s\\S]*$`), "$1."],
  // The built-in scalars' own refusals: `String cannot represent a non string value: { key: "sk-…" }`.
  [/^(String|Int|Float|Boolean|ID) cannot represent ([a-z0-9 -]*)value: [\s\S]*$/, "$1 cannot represent $2value."],
  // Operation resolution: the operationName sent, which need not be a name.
  [/^(Unknown operation named) "[\s\S]*"\.$/, '$1 "…".'],
];

/** A sentence template as a whole-message pattern: `{name}`, `{type}`, `{path}`, `{count}` hold only what they say. */
function sentence(template: string, suggestions = true): RegExp {
  const escaped = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
  const pattern = escaped.replace(/\{(name|type|path|count)\}/g, (_, kind: string) => ({ name: NAME, type: TYPE, path: PATH, count: "[0-9]+" })[kind]!);
  return new RegExp(`^${pattern}${suggestions ? SUGGESTIONS : ""}$`);
}

/** The sentences kept as they are (after CUT). */
const KEPT: RegExp[] = [
  // Variable coercion (graphql-js execution/values.js, utilities/coerceInputValue.js).
  'Variable "${name}" of required type "{type}" was not provided.',
  'Variable "${name}" of non-null type "{type}" must not be null.',
  'Variable "${name}" expected value of type "{type}" which cannot be used as an input type.',
  "Too many errors processing variables, error limit reached. Execution aborted.",
  'Field "{path}" of required type "{type}" was not provided.',
  'Field "{name}" is not defined by type "{name}".',
  'Expected type "{name}" to be an object.',
  'Expected type "{name}".',
  'Expected non-nullable type "{type}" not to be null.',
  'Exactly one key must be specified for OneOf type "{name}".',
  'Field "{name}" must be non-null.',
  // Validation (graphql-js validation/rules), the commonest refusals.
  'Expected value of type "{type}".',
  'OneOf Input Object "{name}" must specify exactly one key.',
  'Field "{path}" must be non-null.',
  'Cannot query field "{name}" on type "{name}".',
  'Unknown argument "{name}" on field "{path}".',
  'Field "{name}" argument "{name}" of type "{type}" is required, but it was not provided.',
  'Unknown type "{name}".',
  'Variable "${name}" is not defined.',
  'Variable "${name}" is not defined by operation "{name}".',
  'Variable "${name}" is never used.',
  'Variable "${name}" is never used in operation "{name}".',
  'Variable "${name}" of type "{type}" used in position expecting type "{type}".',
  'Field "{name}" must not have a selection since type "{type}" has no subfields.',
  'Field "{name}" of type "{type}" must have at least one field selected.',
  // Apollo's and ours (graphql/query-limits.ts).
  "GET requests only support query operations, not {name} operations",
  "Schema is not configured to execute {name} operation.",
  "query too complex: depth {count} (max {count}), complexity {count} (max {count}), root fields {count} (max {count})",
  // Operation resolution (graphql-js execution/execute.js), the name sent cut above.
  "Must provide operation name if query contains multiple operations.",
  'Unknown operation named "…".',
  // Apollo's refusals of the HTTP request's shape (runHttpQuery.js, httpBatching.js) and of a persisted query's hash.
  "`{name}` in a POST body should be provided as an object, not a recursively JSON-encoded string.",
  "`{name}` in a POST body must be an object if provided.",
  "`{name}` in a POST body must be a string if provided.",
  "Operation batching disabled.",
  "provided sha does not match query",
].map((template) => sentence(template));
KEPT.push(
  sentence('Field "{name}" of type "{type}" must have a selection of subfields. Did you mean "{name} { ... }"?', false),
  /^(String|Int|Float|Boolean|ID) cannot represent [a-z0-9 -]*value\.$/,
);

/** The sentence with its value cut, when it then has a kept shape. */
function keptSentence(text: string): string | undefined {
  const cut = CUT.reduce((s, [pattern, kept]) => s.replace(pattern, kept), text);
  return KEPT.some((pattern) => pattern.test(cut)) ? cut : undefined;
}

const INVALID_VARIABLE = new RegExp(`^(Variable "\\$${NAME}" got invalid value) `);
const AT_PATH = new RegExp(` at "(${PATH})"$`);
/** A kept reason is a short sentence: only the message's end is searched for it. */
const MAX_REASON = 1000;

/**
 * `Variable "$i" got invalid value <value>[ at "<path>"]; <reason>`, without the value, the reason kept
 * when it has a kept shape. The value may itself hold "; ": the first split leaving a kept reason wins.
 */
function invalidVariable(message: string): string | undefined {
  const head = INVALID_VARIABLE.exec(message);
  if (!head) return undefined;
  const rest = message.slice(head[0].length);
  for (let i = rest.indexOf("; ", Math.max(0, rest.length - MAX_REASON)); i >= 0; i = rest.indexOf("; ", i + 1)) {
    const reason = keptSentence(rest.slice(i + 2));
    if (reason === undefined) continue;
    const at = AT_PATH.exec(rest.slice(0, i));
    return `${head[1]}${at ? ` at "${at[1]}"` : ""}; ${reason}`;
  }
  return `${head[1]}.`;
}

/**
 * The refusal's message without any value the caller sent, or undefined when it has no known shape.
 *
 * @example auditableRefusalMessage('Variable "$i" got invalid value { apiKey: "sk-1" }; Field "apiKey" is not defined by type "In".')
 * // 'Variable "$i" got invalid value; Field "apiKey" is not defined by type "In".'
 */
export function auditableRefusalMessage(message: string): string | undefined {
  return invalidVariable(message) ?? keptSentence(message);
}
