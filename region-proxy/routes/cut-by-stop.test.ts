/**
 * cutByStop: a walk that ended as if its client had left is the stop's doing when the stop had cut,
 * whether or not the forced close that follows has aborted the client's signal too (a request still
 * being admitted at the cut starts its walk with that signal aborted); a client that left on its own
 * stays client_closed.
 */
import { expect, test } from "bun:test";
import { CLIENT_CLOSED } from "../providers/attempt-outcome.ts";
import type { Trail } from "../providers/walk-chain.ts";
import { cutByStop } from "./settler.ts";

const walkEnded = () => {
  const trail: Trail = { deployment: null, attempts: 1, fallback: false, steps: [{ deploymentId: "d1", provider: "openai", vendorModel: "m", outcome: "error", reason: CLIENT_CLOSED.reason, latencyMs: 1 }] };
  return { ok: false as const, error: CLIENT_CLOSED.error, clientClosed: true, trail };
};
const aborted = () => AbortSignal.abort();
const live = () => new AbortController().signal;

test("cut, client still there: shutting_down", () => {
  const failure = cutByStop(walkEnded(), { client: live(), cut: aborted() });
  expect(failure).toMatchObject({ clientClosed: false, error: { kind: "shutting_down" } });
  expect(failure.trail.steps[0]!.reason).toBe("shutting_down");
});

test("cut, and the forced close already aborted the client's signal: still shutting_down, not client_closed", () => {
  const failure = cutByStop(walkEnded(), { client: aborted(), cut: aborted() });
  expect(failure).toMatchObject({ clientClosed: false, error: { kind: "shutting_down" } });
});

test("no cut, the client left: client_closed as it was", () => {
  const failure = cutByStop(walkEnded(), { client: aborted(), cut: live() });
  expect(failure).toMatchObject({ clientClosed: true });
  expect(failure.trail.steps[0]!.reason).toBe(CLIENT_CLOSED.reason);
});
