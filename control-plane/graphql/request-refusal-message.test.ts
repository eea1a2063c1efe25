/**
 * auditableRefusalMessage keeps graphql-js's refusals without the values they quote: the messages
 * here are graphql-js's own, from a small schema, so a graphql upgrade that changes their shape shows.
 */
import { expect, test } from "bun:test";
import { buildSchema, graphql } from "graphql";
import { auditableRefusalMessage } from "./request-refusal-message.ts";

const SECRET = "LIVESECRET0123456789abcdefABCDEF";
const KEY = `sk-proj-${SECRET}`;
const schema = buildSchema(`
  input Timeouts { totalMs: Int }
  input In { ref: String!, rpm: Int, tags: [String!], timeouts: Timeouts }
  type Query { ok: Boolean }
  type Mutation { make(input: In!): Boolean }
`);

/** graphql-js's first refusal of the operation, and what of it the audit log keeps. */
async function refusal(source: string, variableValues?: Record<string, unknown>): Promise<[string, string | undefined]> {
  const { errors } = await graphql({ schema, source, variableValues });
  const message = errors![0]!.message;
  return [message, auditableRefusalMessage(message)];
}
const withVariable = (i: unknown) => refusal(`mutation($i: In!) { make(input: $i) }`, { i });

test("variable coercion: the value is cut, the path and the reason kept", async () => {
  const cases: [unknown, string][] = [
    [{ ref: "env:X", apiKey: KEY }, 'Variable "$i" got invalid value; Field "apiKey" is not defined by type "In".'],
    [{ ref: { key: KEY } }, 'Variable "$i" got invalid value at "i.ref"; String cannot represent a non string value.'],
    [{ ref: "env:X", tags: ["a", { key: KEY }] }, 'Variable "$i" got invalid value at "i.tags[1]"; String cannot represent a non string value.'],
    [{ ref: "env:X", rpm: 99999999999 }, 'Variable "$i" got invalid value at "i.rpm"; Int cannot represent non 32-bit signed integer value.'],
    [{ ref: "env:X", timeouts: KEY }, 'Variable "$i" got invalid value at "i.timeouts"; Expected type "Timeouts" to be an object.'],
    [{ apiKey: KEY }, 'Variable "$i" got invalid value; Field "ref" of required type "String!" was not provided.'],
    [KEY, 'Variable "$i" got invalid value; Expected type "In" to be an object.'],
  ];
  for (const [value, kept] of cases) {
    const [message, audited] = await withVariable(value);
    expect([message.includes("LIVESECRET") || message.includes("99999999999"), audited]).toEqual([true, kept]);
  }
  expect((await refusal(`mutation($i: In!) { make(input: $i) }`, {}))[1]).toBe('Variable "$i" of required type "In!" was not provided.');
});

test("validation: literals are cut; refusals that quote only names are kept", async () => {
  const cases: [string, string][] = [
    [`mutation { make(input: { ref: "env:X", apiKey: "${KEY}" }) }`, 'Field "apiKey" is not defined by type "In".'],
    [`mutation { make(input: { ref: { key: "${KEY}" } }) }`, "String cannot represent a non string value."],
    [`mutation { make(input: { ref: sk_${SECRET} }) }`, "String cannot represent a non string value."],
    [`mutation { make(input: { ref: "env:X", timeouts: "${KEY}" }) }`, 'Expected value of type "Timeouts".'],
    [`mutation { make(input: { ref: "env:X", rpm: 99999999999 }) }`, "Int cannot represent non 32-bit signed integer value."],
    [`mutation { make(input: { ref: "x" }) { nope } }`, 'Field "make" must not have a selection since type "Boolean" has no subfields.'],
    [`mutation { make(inptu: { ref: "x" }) }`, 'Unknown argument "inptu" on field "Mutation.make". Did you mean "input"?'],
    [`mutation { mak }`, 'Cannot query field "mak" on type "Mutation". Did you mean "make"?'],
  ];
  for (const [source, kept] of cases) expect((await refusal(source))[1]).toBe(kept);
});

test("a value that imitates the message's own punctuation, or a message of no known shape, keeps nothing of the value", () => {
  // The value holds "; " and ` at "…"`: the reason found is still graphql-js's own.
  const tricky = `Variable "$i" got invalid value { a: "${KEY}; x at \\"i.a\\"" } at "i.b"; Field "c" is not defined by type "In".`;
  expect(auditableRefusalMessage(tricky)).toBe('Variable "$i" got invalid value at "i.b"; Field "c" is not defined by type "In".');
  // A reason of no known shape (a custom scalar's): the variable named, nothing else.
  expect(auditableRefusalMessage(`Variable "$i" got invalid value "${KEY}" at "i.at"; Value is not a valid DateTime: ${KEY}`)).toBe('Variable "$i" got invalid value.');
  expect(auditableRefusalMessage(`Expected type "DateTime". DateTime cannot represent an invalid date-time-string ${KEY}.`)).toBe('Expected type "DateTime".');
  // A field name that is not a GraphQL name (a key sent as the JSON key) is not kept.
  expect(auditableRefusalMessage(`Field "${KEY}" is not defined by type "In".`)).toBeUndefined();
  expect(auditableRefusalMessage(`Value "${KEY}" does not exist in "Kind" enum.`)).toBeUndefined();
  expect(auditableRefusalMessage(`DateTime cannot represent an invalid date-time-string sk-proj-LIVESECRET.`)).toBeUndefined();
  expect(auditableRefusalMessage("query too complex: depth 12 (max 10), complexity 40 (max 1000), root fields 1 (max 30)")).toBe(
    "query too complex: depth 12 (max 10), complexity 40 (max 1000), root fields 1 (max 30)",
  );
});

test("operation resolution: the operationName sent is cut, graphql-js's sentences kept", async () => {
  const two = `mutation A { make(input: { ref: "x" }) } mutation B { make(input: { ref: "y" }) }`;
  const named = async (operationName?: string) => {
    const { errors } = await graphql({ schema, source: two, operationName });
    return [errors![0]!.message.includes(KEY), auditableRefusalMessage(errors![0]!.message)];
  };
  expect(await named()).toEqual([false, "Must provide operation name if query contains multiple operations."]);
  expect(await named(KEY)).toEqual([true, 'Unknown operation named "…".']);
  expect(await named(`x". Field "y`)).toEqual([false, 'Unknown operation named "…".']);
});
