/**
 * Schema introspection is measured under its own bounds (review rj J3): graphql-js's
 * getIntrospectionQuery(), what codegen, Rover, GraphiQL and Postman send, is 14 levels deep (its type
 * references nest `ofType`) and was refused QUERY_TOO_COMPLEX by the depth limit of 10, so no tool
 * could read the schema. `__schema` / `__type` selections now count against MAX_INTROSPECTION_DEPTH,
 * while ordinary fields keep MAX_QUERY_DEPTH; lists nested in lists stay refused by graphql-js.
 */
import { expect, test } from "bun:test";
import { buildSchema, getIntrospectionQuery, parse, type OperationDefinitionNode } from "graphql";
import { rawGraphQL, useTestControlPlane } from "../testing/test-control-plane.ts";
import { MAX_INTROSPECTION_DEPTH, MAX_QUERY_DEPTH, measureOperation } from "./query-limits.ts";

const t = useTestControlPlane();
const post = (query: string) => rawGraphQL(t.cp.url, t.adminToken, JSON.stringify({ query }));

test("the standard introspection query answers the schema, with every option graphql-js offers", async () => {
  for (const query of [getIntrospectionQuery(), getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true })]) {
    const r = await post(query);
    expect([r.status, r.json.errors ?? null]).toEqual([200, null]);
    expect(r.json.data.__schema.queryType.name).toBe("Query");
  }
  const one = await post(`{ __type(name: "Tenant") { name fields { name type { kind name ofType { kind name ofType { kind name } } } } } }`);
  expect(one.json.data.__type.name).toBe("Tenant");
});

test("introspection nesting lists within lists (an answer multiplied by each) stays refused, by graphql-js's own rule", async () => {
  const fanOut = `{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }`;
  const r = await post(fanOut);
  expect([r.status, r.json.errors?.[0]?.extensions?.code, r.json.errors?.[0]?.message]).toEqual([400, "GRAPHQL_VALIDATION_FAILED", "Maximum introspection depth exceeded"]);
});

test("introspection deeper than its bound is refused", async () => {
  const ofType = (n: number): string => (n === 0 ? "name" : `name ofType { ${ofType(n - 1)} }`);
  const deep = await post(`{ __type(name: "Tenant") { ${ofType(MAX_INTROSPECTION_DEPTH)} } }`);
  expect([deep.status, deep.json.errors?.[0]?.extensions?.code]).toEqual([400, "QUERY_TOO_COMPLEX"]);
  expect(deep.json.errors[0].message).toContain(`introspection depth ${MAX_INTROSPECTION_DEPTH + 1} (max ${MAX_INTROSPECTION_DEPTH})`);
  const fits = await post(`{ __type(name: "Tenant") { ${ofType(MAX_INTROSPECTION_DEPTH - 1)} } }`);
  expect([fits.status, fits.json.errors ?? null]).toEqual([200, null]);
});

test("ordinary fields keep MAX_QUERY_DEPTH; introspection beside them does not add to it", () => {
  const schema = buildSchema(`type Query { item: Item } type Item { id: ID, item: Item }`);
  const nest = (n: number): string => (n === 0 ? "id" : `item { ${nest(n - 1)} }`);
  const measure = (source: string) => {
    const document = parse(source);
    return measureOperation(schema, document.definitions[0] as OperationDefinitionNode, {});
  };
  expect(measure(`{ ${nest(MAX_QUERY_DEPTH + 1)} }`)).toMatchObject({ depth: MAX_QUERY_DEPTH + 1, introspectionDepth: 0 });
  expect(measure(`{ ${nest(2)} __schema { types { fields { type { ofType { ofType { name } } } } } } }`)).toMatchObject({ depth: 2, introspectionDepth: 6 });
});
