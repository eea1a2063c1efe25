import { expect, test } from "bun:test";
import { maskSecrets, quotedValue } from "./quoted-value.ts";

test("secret-shaped values are masked to their prefix, wherever they stand in the text", () => {
  const key = "gwk_" + "a".repeat(40);
  expect(quotedValue(key)).toBe("gwk_… (secret-shaped: not quoted)");
  expect(quotedValue("admtok_" + "b".repeat(40))).toBe("admtok_… (secret-shaped: not quoted)");
  expect(quotedValue("regtok_" + "b".repeat(40))).toBe("regtok_… (secret-shaped: not quoted)");
  expect(quotedValue("sk-proj-abc123")).toBe("sk-… (secret-shaped: not quoted)");
  expect(quotedValue("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig")).toBe("eyJ… (secret-shaped: not quoted)");
  expect(quotedValue("AIzaSyA-123")).toBe("AIza… (secret-shaped: not quoted)");
  expect(quotedValue("0123456789abcdef0123456789ABCDEF")).toBe("… (secret-shaped: not quoted)");
  expect(maskSecrets(`key ${key} not found; also sk-ant-xyz`)).toBe("key gwk_… (secret-shaped: not quoted) not found; also sk-… (secret-shaped: not quoted)");
});

test("ids and names pass; a long value is cut, with its length", () => {
  for (const id of ["key_0123456789abcdef", "openai:gpt-4o", "gpt-4o-mini", "bal_0123456789abcdef0123456789abcdef", "task-list"]) expect(quotedValue(id)).toBe(id);
  expect(quotedValue("x".repeat(900_000))).toBe(`${"x".repeat(100)}… (900000 characters)`);
});
