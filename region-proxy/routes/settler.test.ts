/**
 * A walk that ended without an answer is settled with no usage of its own: what its vendors billed
 * (each call left without an answer, each refused 2xx answer) is on the trail and charged by settle
 * (pipeline/settle.ts), once each, so none is charged twice here. The status says whose doing it was.
 */
import { expect, test } from "bun:test";
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { AttemptTrailEntry, UsageStatus } from "../../shared/usage/usage-event.ts";
import type { Trail } from "../providers/walk-chain.ts";
import { settleFailure, type Settler } from "./settler.ts";

const DEPLOYMENT = { id: "dep_a", provider: "openai" as const, baseUrl: "http://127.0.0.1:1/v1", model: "gpt-4o", region: "eu", credentialRef: "env:K" };
const CLOSED: GatewayError = { kind: "upstream_error", message: "client closed" };
const TIMEOUT: GatewayError = { kind: "upstream_timeout", message: "The model provider did not answer in time." };
const INVALID: GatewayError = { kind: "upstream_invalid_response", message: "The model provider sent an invalid response." };

const step = (outcome: AttemptTrailEntry["outcome"], reason: string | null): AttemptTrailEntry => ({ deploymentId: DEPLOYMENT.id, provider: "openai", vendorModel: DEPLOYMENT.model, outcome, reason, latencyMs: 5 });
const trail = (...steps: AttemptTrailEntry[]): Trail => ({ deployment: steps.some((s) => s.outcome !== "skipped") ? DEPLOYMENT : null, attempts: steps.filter((s) => s.outcome !== "skipped").length, fallback: false, steps });

function settled(failure: { trail: Trail; error: GatewayError; clientClosed: boolean }) {
  const calls: { trail: Trail; usage: NormalizedUsage | null; status: UsageStatus; code: string | null }[] = [];
  const settleWith: Settler = (trail, usage, status, code) => void calls.push({ trail, usage, status, code });
  settleFailure(settleWith, failure);
  expect(calls).toHaveLength(1);
  return calls[0]!;
}

test("the client left while a call ran: client_closed, the call charged from the trail only", () => {
  const left = { ...trail(step("error", "client_closed")), unansweredCalls: [{ deployment: DEPLOYMENT, reportedUsage: null }] };
  const result = settled({ trail: left, error: CLOSED, clientClosed: true });
  expect(result).toEqual({ trail: left, usage: null, status: "client_closed", code: "client_closed" });
});

test("timed-out calls, the last one included: error with the walk's code, no usage of its own (not a second charge for the last call)", () => {
  const timedOut = { ...trail(step("error", "timeout_first_byte"), step("error", "timeout_total")), unansweredCalls: [{ deployment: DEPLOYMENT, reportedUsage: null }, { deployment: DEPLOYMENT, reportedUsage: null }] };
  expect(settled({ trail: timedOut, error: TIMEOUT, clientClosed: false })).toMatchObject({ usage: null, status: "error", code: "upstream_timeout" });
  // The client left during the backoff after it.
  expect(settled({ trail: timedOut, error: CLOSED, clientClosed: true })).toMatchObject({ usage: null, status: "client_closed" });
});

test("refused 2xx answers are charged by settle too: no usage here, status error", () => {
  const refused = { ...trail(step("error", "invalid_response")), refusedCalls: [{ deployment: DEPLOYMENT, reportedUsage: null }] };
  expect(settled({ trail: refused, error: INVALID, clientClosed: false })).toMatchObject({ usage: null, status: "error", code: "upstream_invalid_response" });
});

test("refused before any vendor call: nothing on the trail to charge", () => {
  expect(settled({ trail: trail(), error: CLOSED, clientClosed: true })).toMatchObject({ usage: null, status: "client_closed", code: "client_closed" });
  expect(settled({ trail: trail(step("skipped", "circuit_open")), error: TIMEOUT, clientClosed: false })).toMatchObject({ usage: null, status: "error" });
});
