/**
 * Refuses, in table order, the first field of `raw` that is set (neither absent nor `null`): a 400
 * naming it with the table's reason. For body fields the gateway will not pass on whatever their
 * value, as relay-routing.ts's and unrecorded-charges.ts's are; `null` asks for nothing and passes.
 *
 * @example refuseFields({ route: "fallback" }, [["route", "..."]]) // throws UnsupportedParameterError("route", "...")
 */
import { isSet } from "./refuse-without-equivalent.ts";
import { UnsupportedParameterError } from "./unsupported-parameter.ts";

/** Each field refused with the reason its 400 gives. */
export type RefusedFields = ReadonlyArray<readonly [field: string, why: string]>;

export function refuseFields(raw: Record<string, unknown>, table: RefusedFields): void {
  for (const [field, why] of table) if (isSet(raw, field)) throw new UnsupportedParameterError(field, why);
}
