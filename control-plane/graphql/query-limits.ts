/**
 * Depth and complexity limits, checked once the operation is resolved (so variables are known) and
 * before anything executes. Cost: every field 1, plus its selection times the page size it asks for
 * (`first`; absent, the field's default: 50, budgetAlerts' 200; an unknown variable counts as the maximum page).
 * Field aliases add up, so repeating an expensive field under many aliases is refused too.
 * Root fields that do real work whatever their selection (a whole-chain hash check, a ledger scan)
 * cost their ROOT_FIELD_COST instead of 1, and an operation may select at most MAX_ROOT_FIELDS root
 * fields (aliases and fragments included), so 2,000 aliased cheap-looking fields are refused as well.
 * Schema introspection (`__schema`, `__type` at the root) is measured against a depth of its own: the
 * standard query tools send (graphql-js getIntrospectionQuery: codegen, Rover, GraphiQL, Postman) is 14
 * levels deep, as type references nest `ofType`. Its size is the schema's, except where lists nest in
 * lists (types → fields → type → fields …), which graphql-js's own MaxIntrospectionDepthRule (in the
 * rules Apollo validates with) refuses past 3.
 */
import { GraphQLError, getNamedType, isObjectType, isInterfaceType, Kind, SchemaMetaFieldDef, TypeMetaFieldDef, type DocumentNode, type GraphQLField, type FragmentDefinitionNode, type GraphQLNamedType, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from "graphql";
import type { ApolloServerPlugin } from "@apollo/server";
import { DEFAULT_PAGE, MAX_PAGE } from "./page.ts";

export const QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX";
export const MAX_QUERY_DEPTH = 10;
export const MAX_QUERY_COMPLEXITY = 20_000;
export const MAX_ROOT_FIELDS = 30;
/** Depth of a `__schema` / `__type` selection: getIntrospectionQuery()'s is 14. */
export const MAX_INTROSPECTION_DEPTH = 15;

/**
 * What a root field costs before its selection, when more than 1: roughly its work in rows touched,
 * scaled so MAX_QUERY_COMPLEXITY allows 4 audit-chain checks or 40 spend reads in one operation.
 */
export const ROOT_FIELD_COST: Readonly<Record<string, number>> = {
  verifyAuditChain: 5_000, // re-hashes the whole audit log
  spend: 500, // scans the ledger / rollups over a range
  budgetStatus: 500, // ledger sums per level, plus live leases
  limitStatus: 200,
  budgetAlerts: 100,
  auditLog: 100,
  changeRequests: 50,
};

export interface QueryCost {
  depth: number;
  complexity: number;
  /** Root field selections, aliases and fragment spreads included. */
  rootFields: number;
  /** Selections examined: each fragment is measured once per position (root or nested), however often it is spread. */
  visits: number;
  /** The deepest `__schema` / `__type` root field's, not counted in depth. */
  introspectionDepth: number;
}

/** The page a `first` asks for; absent, the field's own default (budgetAlerts' 200), else DEFAULT_PAGE. */
function pageSize(value: ValueNode | undefined, variables: Record<string, unknown>, fieldDefault?: unknown): number {
  const absent = typeof fieldDefault === "number" ? fieldDefault : DEFAULT_PAGE;
  if (!value) return absent;
  if (value.kind === Kind.INT) return Math.max(1, Math.min(Number(value.value), MAX_PAGE));
  if (value.kind === Kind.VARIABLE) {
    const v = variables[value.name.value];
    return typeof v === "number" && Number.isFinite(v) ? Math.max(1, Math.min(v, MAX_PAGE)) : v === undefined || v === null ? absent : MAX_PAGE;
  }
  return MAX_PAGE;
}

/** A selection set's cost relative to where it sits: depth counts the levels below it. */
interface SetCost {
  depth: number;
  complexity: number;
  rootFields: number;
  introspectionDepth: number;
}

/** Introspection's root fields, which the Query type does not list among its own. */
const INTROSPECTION_ROOTS: Readonly<Record<string, GraphQLField<unknown, unknown>>> = { __schema: SchemaMetaFieldDef, __type: TypeMetaFieldDef };

/**
 * Measures one operation. Pure: schema + document in, numbers out. A fragment's cost does not depend
 * on where it is spread, except at the root (root field weights and counts), so it is measured once
 * for each and reused: `F0 { ...F1 ...F1 }` … `F60` is 61 measurements, not 2^60 walks.
 */
export function measureOperation(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>, variables: Record<string, unknown> = {}): QueryCost {
  let visits = 0;
  const measured = new Map<string, SetCost>();
  const none: SetCost = { depth: 0, complexity: 0, rootFields: 0, introspectionDepth: 0 };
  const fragmentCost = (fragment: FragmentDefinitionNode, parent: GraphQLNamedType | undefined, atRoot: boolean): SetCost => {
    const key = `${atRoot ? "root" : "nested"}:${fragment.name.value}`;
    const known = measured.get(key);
    if (known) return known;
    // Validation refuses fragment cycles; should one get here anyway, it counts as nothing, once.
    measured.set(key, none);
    const cost = walk(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? parent, atRoot);
    measured.set(key, cost);
    return cost;
  };
  const walk = (set: SelectionSetNode, parent: GraphQLNamedType | undefined, atRoot: boolean): SetCost => {
    const total: SetCost = { ...none };
    const add = (part: SetCost, levels: number, multiplier = 1) => {
      total.depth = Math.max(total.depth, part.depth + levels);
      total.complexity += multiplier * part.complexity;
      total.rootFields += part.rootFields;
      total.introspectionDepth = Math.max(total.introspectionDepth, part.introspectionDepth);
    };
    for (const sel of set.selections) {
      visits++;
      if (sel.kind === Kind.FIELD) {
        const introspection = atRoot ? INTROSPECTION_ROOTS[sel.name.value] : undefined;
        const def = introspection ?? (parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[sel.name.value] : undefined);
        const firstArg = def?.args.find((a) => a.name === "first");
        const multiplier = firstArg ? pageSize(sel.arguments?.find((a) => a.name.value === "first")?.value, variables, firstArg?.defaultValue) : 1;
        if (sel.selectionSet) {
          const below = walk(sel.selectionSet, def ? getNamedType(def.type) : undefined, false);
          // An introspection field's depth counts against its own bound, not the operation's depth.
          add(introspection ? { ...below, depth: 0, introspectionDepth: below.depth + 1 } : below, introspection ? 0 : 1, multiplier);
        }
        add({ ...none, complexity: atRoot ? (ROOT_FIELD_COST[sel.name.value] ?? 1) : 1, rootFields: atRoot ? 1 : 0 }, 0);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        add(walk(sel.selectionSet, sel.typeCondition ? schema.getType(sel.typeCondition.name.value) ?? parent : parent, atRoot), 0);
      } else {
        const fragment = fragments[sel.name.value];
        if (fragment) add(fragmentCost(fragment, parent, atRoot), 0);
      }
    }
    return total;
  };
  const root = operation.operation === "mutation" ? schema.getMutationType() : schema.getQueryType();
  const cost = walk(operation.selectionSet, root ?? undefined, true);
  return { ...cost, visits };
}

function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const out: Record<string, FragmentDefinitionNode> = {};
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) out[def.name.value] = def;
  return out;
}

/** Apollo plugin: refuses an operation over the limits with 400 and code QUERY_TOO_COMPLEX. */
export function queryLimitsPlugin(
  schema: GraphQLSchema,
  limits = { depth: MAX_QUERY_DEPTH, complexity: MAX_QUERY_COMPLEXITY, rootFields: MAX_ROOT_FIELDS, introspectionDepth: MAX_INTROSPECTION_DEPTH },
): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return;
          const cost = measureOperation(schema, operation, fragmentsOf(document), request.variables ?? {});
          const introspectionOver = cost.introspectionDepth > limits.introspectionDepth;
          if (introspectionOver || cost.depth > limits.depth || cost.complexity > limits.complexity || cost.rootFields > limits.rootFields) {
            // The introspection depth only when it is over: every other refusal reads as it did.
            const introspection = introspectionOver ? `, introspection depth ${cost.introspectionDepth} (max ${limits.introspectionDepth})` : "";
            throw new GraphQLError(
              `query too complex: depth ${cost.depth} (max ${limits.depth}), complexity ${cost.complexity} (max ${limits.complexity}), root fields ${cost.rootFields} (max ${limits.rootFields})${introspection}`,
              { extensions: { code: QUERY_TOO_COMPLEX, http: { status: 400 } } },
            );
          }
        },
      };
    },
  };
}
