import { expect, test } from "bun:test";
import { withoutCredential } from "./redact-credential.ts";

const KEY = "sk-live-secret";

test("the credential is cut out of every text field of a vendor's error, not only its message", () => {
  const error = { kind: "vendor_rejected" as const, status: 400, message: `bad key ${KEY}`, code: `invalid:${KEY}`, param: `${KEY}|${KEY}` };
  expect(withoutCredential(error, KEY)).toEqual({ kind: "vendor_rejected", status: 400, message: "bad key [redacted]", code: "invalid:[redacted]", param: "[redacted]|[redacted]" });
  expect(error.message).toContain(KEY); // the original is not changed
});

test("an error without the credential is returned as it is; an empty credential redacts nothing", () => {
  const error = { kind: "vendor_rejected" as const, status: 400, message: "bad", code: null, param: null };
  expect(withoutCredential(error, KEY)).toBe(error);
  expect(withoutCredential(error, "")).toBe(error);
});
