/**
 * A walk that ended without an answer: what it is charged. A vendor that got the prompt and was left
 * without its answer (the client went, or the call timed out) has been asked to work and bills for it,
 * so the request is charged its prompt estimate, as a stream cut short is; a walk whose calls were all
 * answered with an error, or that never called, costs nothing.
 */
import { describe, expect, test } from "bun:test";
import { ZERO_USAGE, type NormalizedUsage } from "../../shared/money/cost.ts";
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { AttemptTrailEntry, UsageStatus } from "../../shared/usage/usage-event.ts";
import type { Trail } from "../providers/walk-chain.ts";
import { settleFailure, type Settler } from "./settler.ts";

const DEPLOYMENT = { id: "dep_a", provider: "openai" as const, baseUrl: "http://127.0.0.1:1/v1", model: "gpt-4o", region: "eu", credentialRef: "env:K" };
const CLOSED: GatewayError = { kind: "upstream_error", message: "client closed" };
const TIMEOUT: GatewayError = { kind: "upstream_timeout", message: "The model provider did not answer in time." };
const FAILED: GatewayError = { kind: "upstream_error", message: "The model provider failed." };

const step = (outcome: AttemptTrailEntry["outcome"], reason: string | null): AttemptTrailEntry => ({ deploymentId: DEPLOYMENT.id, provider: "openai", vendorModel: DEPLOYMENT.model, outcome, reason, latencyMs: 5 });
const trail = (...steps: AttemptTrailEntry[]): Trail => ({ deployment: steps.some((s) => s.outcome !== "skipped") ? DEPLOYMENT : null, attempts: steps.filter((s) => s.outcome !== "skipped").length, fallback: false, steps });

function settled(failure: { trail: Trail; error: GatewayError; clientClosed: boolean }) {
  const calls: { usage: NormalizedUsage | null; status: UsageStatus; code: string | null }[] = [];
  const settleWith: Settler = (_trail, usage, status, code) => void calls.push({ usage, status, code });
  const estimated: string[] = [];
  settleFailure(settleWith, failure, (model) => {
    estimated.push(model);
    return 1_234;
  });
  expect(calls).toHaveLength(1);
  return { ...calls[0]!, estimated };
}

describe("the vendor got the prompt and was left without its answer: charged the prompt estimate", () => {
  test("the client left while the call ran: client_closed, input tokens = the estimate, no output", () => {
    const result = settled({ trail: trail(step("error", "client_closed")), error: CLOSED, clientClosed: true });
    expect(result).toEqual({ usage: { ...ZERO_USAGE, inputTokens: 1_234 }, status: "client_closed", code: "client_closed", estimated: ["gpt-4o"] });
  });

  test("the call timed out (first byte or total), also after a retry, also when the client then left during the backoff", () => {
    for (const reason of ["timeout_first_byte", "timeout_total"]) {
      expect(settled({ trail: trail(step("error", "status_503"), step("error", reason)), error: TIMEOUT, clientClosed: false })).toMatchObject({ usage: { ...ZERO_USAGE, inputTokens: 1_234 }, status: "error", code: "upstream_timeout" });
    }
    expect(settled({ trail: trail(step("error", "timeout_first_byte"), step("skipped", "circuit_open")), error: TIMEOUT, clientClosed: false }).usage).toEqual({ ...ZERO_USAGE, inputTokens: 1_234 });
    expect(settled({ trail: trail(step("error", "timeout_first_byte")), error: CLOSED, clientClosed: true })).toMatchObject({ usage: { ...ZERO_USAGE, inputTokens: 1_234 }, status: "client_closed" });
  });
});

describe("the vendor answered 2xx and the gateway refused the answer: priced by settle (Trail.refusedCalls), not again here", () => {
  const INVALID: GatewayError = { kind: "upstream_invalid_response", message: "The model provider sent an invalid response." };
  const REPORTED: NormalizedUsage = { ...ZERO_USAGE, inputTokens: 500, outputTokens: 300 };
  const refused = (...steps: AttemptTrailEntry[]): Trail => ({ ...trail(...steps), refusedCalls: [{ deployment: DEPLOYMENT, reportedUsage: REPORTED }, { deployment: DEPLOYMENT, reportedUsage: null }] });

  test("a walk that ended with refused calls passes no usage of its own (each refused call is charged once, in settle); the status stays error", () => {
    expect(settled({ trail: refused(step("error", "invalid_response"), step("error", "invalid_response")), error: INVALID, clientClosed: false })).toEqual({ usage: null, status: "error", code: "upstream_invalid_response", estimated: [] });
    // The client left during the backoff after it.
    expect(settled({ trail: refused(step("error", "invalid_response")), error: CLOSED, clientClosed: true })).toMatchObject({ usage: null, status: "client_closed" });
  });

  test("a refused call followed by a timeout: the timed-out last call is charged its prompt estimate, as without the refusal", () => {
    expect(settled({ trail: refused(step("error", "invalid_response"), step("error", "timeout_total")), error: TIMEOUT, clientClosed: false })).toMatchObject({ usage: { ...ZERO_USAGE, inputTokens: 1_234 }, estimated: ["gpt-4o"] });
  });

  test("garbage in an error answer's body (no refused call on the trail) bills nothing", () => {
    expect(settled({ trail: trail(step("error", "invalid_response")), error: INVALID, clientClosed: false }).usage).toBeNull();
  });
});

describe("nothing charged", () => {
  test("refused before any vendor call: the client left first, or every deployment was skipped", () => {
    expect(settled({ trail: trail(), error: CLOSED, clientClosed: true })).toEqual({ usage: null, status: "client_closed", code: "client_closed", estimated: [] });
    expect(settled({ trail: trail(step("skipped", "circuit_open")), error: TIMEOUT, clientClosed: false }).usage).toBeNull();
  });

  test("the last call was answered with an error (the vendor did no work to bill), even if the client left afterwards", () => {
    expect(settled({ trail: trail(step("error", "status_503")), error: FAILED, clientClosed: false }).usage).toBeNull();
    expect(settled({ trail: trail(step("error", "status_503")), error: CLOSED, clientClosed: true }).usage).toBeNull();
    expect(settled({ trail: trail(step("error", "timeout_first_byte"), step("error", "status_400")), error: FAILED, clientClosed: false }).usage).toBeNull();
  });
});
