/**
 * A feature id (`X-Feature-Id`): 1-64 characters of A-Z a-z 0-9 . _ : -. Checked by the proxy at the
 * edge and by the control plane's usage ingest, so no stored feature can collide with spend's
 * `"(none)"` group or carry anything a report would have to escape.
 *
 * @example isFeatureId("checkout-assistant") // true
 * @example isFeatureId("(none)") // false
 */
const FEATURE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function isFeatureId(value: string): boolean {
  return FEATURE_ID.test(value);
}
