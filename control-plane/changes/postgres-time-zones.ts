/**
 * The time zone names PostgreSQL's tz database knows (pg_timezone_names). Intl and PostgreSQL ship
 * their own tz data, and they drift: "US/Pacific-New" is still an ICU alias but left tzdata in 2020b,
 * so a zone Intl accepts can make every `at time zone` over it (spend by day, budget periods) an error.
 *
 * Reading pg_timezone_names scans the server's whole zone directory (tens of ms), so the set is read
 * once per transaction and kept while the transaction lives: one checking many requests
 * (markStaleRequests) reads it once, and every new transaction sees the database as it is now (after
 * an upgrade dropped a zone, say). Not the pool: a set kept for the process would outlive an upgrade.
 */
import type { Tx } from "../db/client.ts";

const known = new WeakMap<Tx, Promise<Set<string>>>();

/** Whether PostgreSQL, as `tx` reaches it, knows the zone `name` by exactly that name. */
export async function postgresKnowsTimeZone(tx: Tx, name: string): Promise<boolean> {
  let names = known.get(tx);
  if (!names) {
    names = tx<{ name: string }[]>`select name from pg_timezone_names`.then((rows) => new Set(rows.map((r) => r.name)));
    known.set(tx, names);
  }
  return (await names).has(name);
}
