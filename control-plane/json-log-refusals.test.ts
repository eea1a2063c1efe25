/**
 * With LOG_FORMAT=json a control plane that refuses to start says so in a JSON line: refuse() wrote
 * `control plane: ...` as text whatever the format (review obs's finding 2).
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { notJsonLogLines } from "../test/support/json-log-lines.ts";
import { runToExit } from "../test/support/run-to-exit.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cp-json-refusal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a configuration refusal is a JSON line; text stays text", async () => {
  const json = await runToExit(MAIN, { LOG_FORMAT: "json", PORT: "0", DATA_DIR: mkdtempSync(join(dir, "d-")), REQUIRED_APPROVALS: "0" });
  expect(json.exitCode).toBe(1);
  expect([...notJsonLogLines("stdout", json.stdout, { service: "control-plane" }), ...notJsonLogLines("stderr", json.stderr, { service: "control-plane" })]).toEqual([]);
  expect(JSON.parse(json.stderr.trim()).message).toStartWith("control plane: REQUIRED_APPROVALS: ");
  const text = await runToExit(MAIN, { PORT: "0", DATA_DIR: mkdtempSync(join(dir, "d-")), REQUIRED_APPROVALS: "0" });
  expect(text.stderr.trim()).toStartWith("control plane: REQUIRED_APPROVALS: ");
}, 20_000);
