/**
 * Fragments spread many times are measured once each: `F0 { ...F1 ...F1 }` … `F25 { __typename }` is
 * ~1 KB yet means 2^25 root fields, and walking every spread again blocked the event loop for seconds
 * (each level doubling). The cost stays exact; the work stays linear in the document.
 */
import { expect, test } from "bun:test";
import { buildSchema, Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from "graphql";
import { measureOperation } from "./query-limits.ts";

const schema = buildSchema(`type Query { a: Int, items(first: Int): [Item] } type Item { id: ID, items(first: Int): [Item] }`);

function measure(source: string) {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  return measureOperation(schema, operation, fragments);
}

/** `query { ...F0 }` where each fragment spreads the next twice, down to `F<n> { leaf }`. */
const doubling = (n: number, on: string, leaf: string) =>
  Array.from({ length: n }, (_, i) => `fragment F${i} on ${on} { ...F${i + 1} ...F${i + 1} }`).join("\n") + `\nfragment F${n} on ${on} { ${leaf} }`;

test("25 levels of doubled fragment spreads: exact cost, a few dozen selections visited", () => {
  const cost = measure(`query { ...F0 }\n${doubling(25, "Query", "__typename")}`);
  expect(cost.rootFields).toBe(2 ** 25);
  expect(cost.complexity).toBe(2 ** 25);
  expect(cost.depth).toBe(0);
  expect(cost.visits).toBeLessThan(100);
});

test("60 levels (an unbounded walk would never finish) are measured just as fast, nested too", () => {
  const root = measure(`query { ...F0 }\n${doubling(60, "Query", "a")}`);
  expect(root.rootFields).toBe(2 ** 60);
  expect(root.visits).toBeLessThan(200);
  // Below the root: the spreads count as nested fields (no root fields) and depth is kept.
  const nested = measure(`query { items(first: 1) { ...F0 } }\n${doubling(60, "Item", "items(first: 2) { id }")}`);
  expect(nested.rootFields).toBe(1);
  expect(nested.depth).toBe(2);
  expect(nested.complexity).toBe(1 + 2 ** 60 * (1 + 2 * 1));
  expect(nested.visits).toBeLessThan(300);
});

test("the same fragment costs more at the root than below it (root field weights), and both are cached apart", () => {
  const cost = measure(`query { ...F items(first: 1) { ...G } } fragment F on Query { a } fragment G on Item { id }`);
  expect(cost).toMatchObject({ rootFields: 2, complexity: 1 + (1 + 1), depth: 1 });
});
