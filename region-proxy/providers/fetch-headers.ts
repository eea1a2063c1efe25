/**
 * The headers a vendor call hands to fetch. fetch converts a plain record into its native headers on
 * every call (measured: ~0.5 us for three headers), where a Headers object is only copied. So a record
 * an adapter hands out for every call to a deployment (openai/request.ts) is registered once with a
 * Headers made from it (`madeOnce`), and the call (vendor-call.ts) passes that Headers; any other record
 * passes as it is. The same headers go on the wire, in the same order. A registered record is frozen:
 * its Headers is a copy, so the record must never change.
 */
const made = new WeakMap<Readonly<Record<string, string>>, Headers>();

export function madeOnce(record: Record<string, string>): Readonly<Record<string, string>> {
  try {
    made.set(record, new Headers(record));
  } catch {
    // A value no header can carry (a control character inside a credential): the record goes as it is,
    // and fetch's rejection fails the call as a network failure, so the walk falls back as it did.
  }
  return Object.freeze(record);
}

export function fetchHeaders(record: Readonly<Record<string, string>>): Headers | Readonly<Record<string, string>> {
  return made.get(record) ?? record;
}
