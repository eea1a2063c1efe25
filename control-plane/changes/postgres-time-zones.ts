/**
 * Whether PostgreSQL knows a time zone name. Intl and PostgreSQL ship their own tz data, and they drift:
 * "US/Pacific-New" is still an ICU alias but left tzdata in 2020b, so a zone Intl accepts can make
 * every `at time zone` over it (spend by day, budget periods) an error.
 *
 * It asks about the one name, `now() at time zone $1`, in a savepoint: the question the control plane's
 * reads depend on, answered without touching pg_timezone_names, which scans the server's whole zone
 * directory (tens of ms) and ran on every config change under the config lock (markStaleRequests checks
 * each open tenant.policy request). The savepoint keeps the caller's transaction usable when the name
 * is unknown. Answers are kept per transaction and name: a transaction checking many requests asks once
 * per zone, and every new transaction sees the database as it is now (after an upgrade dropped a zone).
 */
import type { Tx } from "../db/client.ts";

/** PostgreSQL's invalid_parameter_value: what `at time zone` raises for a name it does not know. */
const UNKNOWN_TIME_ZONE = "22023";

const known = new WeakMap<Tx, Map<string, Promise<boolean>>>();

/** Whether PostgreSQL, as `tx` reaches it, reads `name` as a time zone. */
export async function postgresKnowsTimeZone(tx: Tx, name: string): Promise<boolean> {
  let names = known.get(tx);
  if (!names) known.set(tx, (names = new Map()));
  let answer = names.get(name);
  if (!answer) {
    answer = probe(tx, name);
    names.set(name, answer);
  }
  return answer;
}

async function probe(tx: Tx, name: string): Promise<boolean> {
  try {
    await tx.savepoint((sp) => sp`select now() at time zone ${name}`);
    return true;
  } catch (error) {
    // Anything else (a lost connection, a lock or statement timeout) is not an answer about the zone.
    if ((error as { code?: string }).code === UNKNOWN_TIME_ZONE) return false;
    throw error;
  }
}
