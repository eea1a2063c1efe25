/**
 * A region books usage only for keys its snapshot carries, under the key's own tenant: an event whose
 * key is not allowed in the sending region (allowedRegions excludes it, so no proxy there could have
 * served it), whose key does not exist, or whose tenant is not its key's tenant, is refused: acknowledged
 * by its id and dead-lettered with the reason, never in the ledger. Before, a region token (stolen, or a
 * buggy proxy) could book spend on any tenant's key, in any region.
 */
import { beforeAll, expect, test } from "bun:test";
import type { UsageBatchAck } from "../../shared/usage/usage-event.ts";
import { addKey } from "../testing/add-key.ts";
import { addTenant } from "../testing/add-tenant.ts";
import { useUsageIngest } from "./use-usage-ingest.ts";

const ingest = useUsageIngest();
let usOnlyKey: string;
let otherTenant: string;

beforeAll(async () => {
  usOnlyKey = await addKey(ingest.t.admin, ingest.s.tenantId, { name: "us-only", allowedRegions: ["us"] });
  otherTenant = await addTenant(ingest.t.admin, "other-co");
});

const ledgerRows = async (id: string) => (await ingest.sql`select 1 from usage_events where event_id = ${id}`).length;
const deadLetter = async (id: string) => (await ingest.sql<{ reason: string }[]>`select reason from usage_dead_letters where event_id = ${id}`)[0]?.reason;

test("an event for a key the sending region does not carry is refused and dead-lettered; the region that carries it books it", async () => {
  const refused = await ingest.post({ events: [ingest.event("evt_eu_usonly", { keyId: usOnlyKey })] });
  const ack = (await refused.json()) as UsageBatchAck;
  expect(ack.accepted).toBe(0);
  expect(ack.ackedEventIds).toEqual(["evt_eu_usonly"]);
  expect(ack.rejected[0]!.reason).toContain("eu");
  expect(await ledgerRows("evt_eu_usonly")).toBe(0);
  expect(await deadLetter("evt_eu_usonly")).toContain("not carried");

  const booked = await ingest.post({ events: [ingest.event("evt_us_usonly", { keyId: usOnlyKey, region: "us" })] }, ingest.s.usToken);
  expect(((await booked.json()) as UsageBatchAck).accepted).toBe(1);
  expect(await ledgerRows("evt_us_usonly")).toBe(1);
});

test("an event naming another tenant than its key's, or a key that does not exist, is refused; the rest of the batch is booked", async () => {
  const response = await ingest.post({
    events: [
      ingest.event("evt_wrong_tenant", { tenantId: otherTenant }),
      ingest.event("evt_no_key", { keyId: "key_doesnotexist0000" }),
      ingest.event("evt_fine"),
    ],
  });
  const ack = (await response.json()) as UsageBatchAck;
  expect(ack.accepted).toBe(1);
  expect(new Set(ack.ackedEventIds)).toEqual(new Set(["evt_wrong_tenant", "evt_no_key", "evt_fine"]));
  expect(ack.rejected.map((r) => r.eventId).sort()).toEqual(["evt_no_key", "evt_wrong_tenant"]);
  expect(await ledgerRows("evt_wrong_tenant")).toBe(0);
  expect(await ledgerRows("evt_no_key")).toBe(0);
  expect(await ledgerRows("evt_fine")).toBe(1);
  expect(await deadLetter("evt_wrong_tenant")).toContain("tenant");
  expect(await deadLetter("evt_no_key")).toContain("not carried");
});
