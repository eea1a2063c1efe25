import { expect, test } from "bun:test";
import { MIN_CUT_KEY_CHARS, textWithoutCredential, withoutCredential } from "./redact-credential.ts";

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

test("an excerpt cut inside a quoted key loses the key's start at its end too; a shorter start, or one not at the end, is left", () => {
  expect(textWithoutCredential(`page: ${KEY.slice(0, 9)}`, KEY)).toBe("page: [redacted]");
  expect(textWithoutCredential(`page: ${KEY} and ${KEY.slice(0, 5)}`, KEY)).toBe("page: [redacted] and [redacted]");
  expect(textWithoutCredential(`page: ${KEY.slice(0, MIN_CUT_KEY_CHARS - 1)}`, KEY)).toBe(`page: ${KEY.slice(0, MIN_CUT_KEY_CHARS - 1)}`);
  expect(textWithoutCredential(`${KEY.slice(0, 9)} then more`, KEY)).toBe(`${KEY.slice(0, 9)} then more`);
  expect(withoutCredential({ kind: "upstream_invalid_response", message: `broke: <html>${KEY.slice(0, 6)}` }, KEY)).toEqual({ kind: "upstream_invalid_response", message: "broke: <html>[redacted]" });
});

test("a credential with surrounding whitespace is cut out as sent (a header value is trimmed), and as given", () => {
  const padded = ` ${KEY}\n`;
  expect(textWithoutCredential(`bad key ${KEY} here`, padded)).toBe("bad key [redacted] here");
  expect(textWithoutCredential(`bad key ${padded}here`, padded)).toBe("bad key [redacted]here");
  expect(textWithoutCredential(`cut: ${KEY.slice(0, 6)}`, padded)).toBe("cut: [redacted]");
  expect(withoutCredential({ kind: "vendor_rejected", status: 400, message: `x ${KEY} y`, code: KEY, param: null }, padded)).toEqual({ kind: "vendor_rejected", status: 400, message: "x [redacted] y", code: "[redacted]", param: null });
  expect(withoutCredential({ kind: "vendor_rejected", status: 400, message: "  ", code: null, param: null }, " \n")).toEqual({ kind: "vendor_rejected", status: 400, message: "  ", code: null, param: null });
});
