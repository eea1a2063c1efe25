// A BUDGET_WEBHOOK_URL that fails the start check is quoted in the start refusal (stderr, collected by
// the log pipeline) through shared/config/shown-url.ts, as REDIS_URL is: its userinfo password and its
// query token are masked (review rr R6: it was printed whole with JSON.stringify).
import { expect, test } from "bun:test";
import { configFromEnv } from "./config.ts";

function refusal(raw: string): string {
  try {
    configFromEnv({ BUDGET_WEBHOOK_URL: raw });
  } catch (error) {
    return (error as Error).message;
  }
  return "(accepted)";
}

test("a refused BUDGET_WEBHOOK_URL does not print its password", () => {
  const message = refusal("htps://alerts:s3cr3t-pass@hooks.example.com/budget");
  expect(message).toContain("BUDGET_WEBHOOK_URL");
  expect(message).not.toContain("s3cr3t-pass");
});

test("a refused BUDGET_WEBHOOK_URL does not print its query token", () => {
  const message = refusal("ftp://hooks.example.com/budget?token=tok_SECRET123");
  expect(message).not.toContain("tok_SECRET123");
});
