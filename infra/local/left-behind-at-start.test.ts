/**
 * leftBehindAtStart: a launcher run by npm whose parent is already init when it first looks does not
 * start (its sh died while bun was loading); npm itself as pid 1 (a container) is no such case.
 */
import { expect, test } from "bun:test";
import { leftBehindAtStart } from "./left-behind-at-start.ts";

const npm = { npm_lifecycle_event: "start" };
const initIs = (...command: string[]) => () => command;

test("run by npm, parent already pid 1, init is no package runner: left behind", () => {
  expect(leftBehindAtStart(npm, 1, initIs("/sbin/init"))).toBe(true);
  expect(leftBehindAtStart({ npm_lifecycle_event: "npx" }, 1, initIs("/usr/bin/tini", "--", "npm", "start"))).toBe(true);
  expect(leftBehindAtStart(npm, 1, () => null)).toBe(true);
});

test("npm, npx or node itself as pid 1 (a container's first process) is the launcher's own parent", () => {
  expect(leftBehindAtStart(npm, 1, initIs("npm", "start"))).toBe(false);
  expect(leftBehindAtStart(npm, 1, initIs("/usr/local/bin/node", "/usr/local/lib/node_modules/npm/bin/npm-cli.js", "start"))).toBe(false);
  expect(leftBehindAtStart(npm, 1, initIs("/usr/local/bin/bun", "run", "start"))).toBe(false);
});

test("a parent other than pid 1, or a launcher not run by npm, is not left behind", () => {
  expect(leftBehindAtStart(npm, 4242, initIs("/sbin/init"))).toBe(false);
  expect(leftBehindAtStart({}, 1, initIs("/sbin/init"))).toBe(false);
  expect(leftBehindAtStart({ npm_lifecycle_event: "" }, 1, initIs("/sbin/init"))).toBe(false);
});
