import { afterAll, afterEach, expect, spyOn, test } from "bun:test";
import { consoleLog, logFormatFromEnv } from "./console-log.ts";

const printed: string[] = [];
const spy = spyOn(console, "log").mockImplementation((line: string) => void printed.push(line));
afterEach(() => {
  printed.length = 0;
});
afterAll(() => spy.mockRestore());

test("text lines carry the prefix; json lines are one object each with time, fields and the message", () => {
  consoleLog("text", { service: "proxy" }, "[proxy eu] ")("snapshot loaded");
  consoleLog("json", { service: "proxy", region: "eu" })('a "quoted"\nline');
  expect(printed[0]).toBe("[proxy eu] snapshot loaded");
  const parsed = JSON.parse(printed[1]!);
  expect(parsed).toMatchObject({ service: "proxy", region: "eu", message: 'a "quoted"\nline' });
  expect(Number.isNaN(Date.parse(parsed.time))).toBe(false);
  expect(printed[1]!.includes("\n")).toBe(false);
  expect(spy).toHaveBeenCalledTimes(2);
});

test("LOG_FORMAT is text by default, json when asked, and an error otherwise", () => {
  expect(logFormatFromEnv(undefined)).toBe("text");
  expect(logFormatFromEnv("json")).toBe("json");
  expect(logFormatFromEnv("yaml")).toEqual({ error: 'LOG_FORMAT must be text or json (got "yaml")' });
});
