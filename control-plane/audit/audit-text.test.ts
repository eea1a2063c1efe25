/**
 * What the audit chain hashes is what PostgreSQL stores: text that PostgreSQL would change (a lone
 * surrogate becomes U+FFFD) or refuse (NUL; a `\ud800` escape in jsonb) is made storable before it is
 * hashed, so no audited action can leave the chain unverifiable — whatever reaches appendAudit.
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { isWellFormedText, storableText } from "../../shared/text/storable-text.ts";
import { truncateText } from "./audit-text.ts";
import { runAudited } from "./run-audited.ts";

const t = useTestControlPlane();
let sql: postgres.Sql;
beforeAll(() => {
  sql = t.openSql();
});

test("truncateText cuts between code points, storableText replaces what PostgreSQL cannot store", () => {
  expect(truncateText("a".repeat(199) + "😀", 200)).toBe("a".repeat(199));
  expect(truncateText("a".repeat(198) + "😀", 200)).toBe("a".repeat(198) + "😀");
  expect(truncateText("a".repeat(300), 200)).toBe("a".repeat(200));
  expect(truncateText("short", 200)).toBe("short");
  expect(storableText("x\ud800y\udc00")).toBe("x\uFFFDy\uFFFD");
  expect(storableText("n\u0000")).toBe("n\uFFFD");
  expect(storableText("😀 ok")).toBe("😀 ok");
  expect(["\ud83d\ude00", "plain", ""].map(isWellFormedText)).toEqual([true, true, true]);
  expect(["\ude00\ud83d", "\ud83d", "x\udc00", "\ud800\ud800\udc00"].map(isWellFormedText)).toEqual([false, false, false, false]);
});

test("an audit row with lone surrogates and NULs anywhere is stored as hashed, and the chain verifies", async () => {
  await runAudited(sql as never, { id: "tester\ud800", clientAddress: "10.0.0.1\udc00" }, async () => ({
    result: null,
    audit: {
      action: "test.text\ud800",
      target: "a".repeat(5) + "\ud83d",
      before: { ["key\udc00"]: "v\u0000" },
      after: { message: "m\ud800", list: ["\udfff", 1, null], nested: { deep: "ok 😀" } },
    },
  }));
  const [row] = await sql<{ target: string; after: any; before: any }[]>`select target, after, before from audit_log order by id desc limit 1`;
  expect(row!.target).toBe("aaaaa\uFFFD");
  expect(row!.after).toEqual({ message: "m\uFFFD", list: ["\uFFFD", 1, null], nested: { deep: "ok 😀" } });
  expect(row!.before).toEqual({ ["key\uFFFD"]: "v\uFFFD" });
  const { verifyAuditChain } = await t.admin.request<{ verifyAuditChain: { ok: boolean; brokenAt: number | null } }>(`{ verifyAuditChain { ok brokenAt } }`);
  expect(verifyAuditChain).toEqual({ ok: true, brokenAt: null });
});
