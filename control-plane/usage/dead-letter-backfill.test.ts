/** Migration 0086 keys the dead letters already stored by their payload's event id, without failing on repeats. */
import { expect, test } from "bun:test";
import { useTestDatabase } from "../../test/support/use-test-database.ts";
import { loadMigrations, migrate } from "../db/migrate.ts";

const database = useTestDatabase({ max: 2 });

test("0086 backfills event_id from the payload: the first of repeated copies is keyed, the rest and unusable ids stay unkeyed", async () => {
  const all = await loadMigrations();
  await migrate(database.sql, all.filter((m) => m.version < 86));
  const rows = [
    { eventId: "evt_a", costMicros: -5 },
    { eventId: "evt_a", costMicros: -5 }, // the same event dead-lettered again
    { eventId: "evt_a", costMicros: -6 }, // another event sent under the same id
    { eventId: "", costMicros: -5 },
    { eventId: 7 },
    { eventId: "x".repeat(201) },
  ];
  for (const payload of rows) await database.sql`insert into usage_dead_letters (region, reason, payload) values ('eu', 'invalid', ${database.sql.json(payload)})`;
  await database.sql`insert into usage_dead_letters (region, reason, payload) values ('eu', 'not storable', null)`;
  await migrate(database.sql);
  const keyed = await database.sql<{ event_id: string | null }[]>`select event_id from usage_dead_letters order by id`;
  expect(keyed.map((r) => r.event_id)).toEqual(["evt_a", null, "evt_a", null, null, null, null]);
});
