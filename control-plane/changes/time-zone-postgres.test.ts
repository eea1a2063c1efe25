/**
 * A time zone must be one PostgreSQL knows as well as one Intl knows: the control plane reads it with
 * `at time zone` (spend by day, budget periods). "US/Pacific-New" is still an ICU alias but left tzdata
 * in 2020b; it used to pass, be applied, and from then on `spend` for the tenant was an
 * INTERNAL_SERVER_ERROR. Now it is refused when proposed, and a change holding it (proposed before a
 * database upgrade dropped the zone) does not apply.
 */
import { beforeAll, expect, test } from "bun:test";
import { twoApprovers, type ActingPrincipal } from "../testing/principals.ts";
import { firstGraphQLError } from "../testing/test-control-plane.ts";
import { useUsageIngest } from "../usage/use-usage-ingest.ts";

const ZONE = "US/Pacific-New";
const ingest = useUsageIngest();
let ann: ActingPrincipal;
let ben: ActingPrincipal;
beforeAll(async () => {
  ({ ann, ben } = await twoApprovers(ingest.t.admin, ingest.t.cp.url));
});

const proposeZone = (timeZone: string) =>
  ann.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
    i: { description: "tz", operations: [{ op: "tenant.policy", id: ingest.s.tenantId, tenantPolicy: { timeZone } }] },
  });

const tenantZone = async () => (await ingest.t.admin.request<any>(`query($id: ID!) { tenant(id: $id) { timeZone } }`, { id: ingest.s.tenantId })).tenant.timeZone;

test("the zone is one Intl knows and PostgreSQL does not (the premise of this file)", async () => {
  const [row] = await ingest.sql<{ known: boolean }[]>`select exists(select 1 from pg_timezone_names where name = ${ZONE}) as known`;
  expect([row?.known, new Intl.DateTimeFormat("en-US", { timeZone: ZONE }).resolvedOptions().timeZone]).toEqual([false, ZONE]);
});

test("a zone PostgreSQL does not know is BAD_USER_INPUT naming the field at proposal; spend keeps answering", async () => {
  const error = await proposeZone(ZONE).catch((e) => e);
  expect(error.code).toBe("BAD_USER_INPUT");
  expect(error.message).toStartWith("operations[0].tenantPolicy.timeZone: ");
  expect(error.message).not.toContain(ZONE); // refusals do not quote the value (it is audited)
  expect(await tenantZone()).toBeNull();
  expect((await ingest.post({ events: [ingest.event("evt_1")] })).status).toBe(200);
  const spend = await firstGraphQLError(ingest.t.cp.url, ingest.t.adminToken, JSON.stringify({
    query: `query($id: ID!) { spend(tenantId: $id, from: "2026-01-01T00:00:00Z", to: "2026-12-01T00:00:00Z") { requests byDay { key } } }`,
    variables: { id: ingest.s.tenantId },
  }));
  expect(spend).toEqual({ status: 200, code: null, message: "" });
});

test("a change holding a zone PostgreSQL no longer knows (proposed before an upgrade) does not apply", async () => {
  const { id } = (await proposeZone("Europe/Berlin")).proposeChange;
  // What a request proposed before the database dropped the zone holds.
  await ingest.sql`update change_requests set writes = jsonb_set(writes, '{0,value,timeZone}', to_jsonb(${ZONE}::text)) where id = ${id}`;
  const error = (await ben.client.request(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id }).catch((e) => e)) as { code?: string; message: string };
  expect([error.code, error.message]).toEqual(["CONFLICT", expect.stringContaining(`timeZone ${ZONE}`)]);
  expect(await tenantZone()).toBeNull();
});
