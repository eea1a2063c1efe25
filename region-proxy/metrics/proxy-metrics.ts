/**
 * What a proxy counts for Prometheus, per process: every answer by route and status (with the time to
 * its headers, a stream's first chunk), every refusal made before any vendor was called by its error
 * code, and from each usage event its outcome, its vendor calls (deployment, outcome, reason),
 * whether it fell back, and its tokens and cost by deployment. Labels hold only bounded values (routes,
 * codes, and the snapshot's deployment ids and aliases), never a tenant, key or request id: those
 * belong to the usage events and spend reports.
 */
import { errorCode, GATEWAY_ERROR_CODES, type GatewayError } from "../../shared/errors/openai-error.ts";
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import type { DeploymentCharge } from "../pipeline/settle.ts";
import { CounterFamily, HistogramFamily, labels } from "./prometheus-text.ts";

/** Time to an answer's headers, in seconds: from a fast refusal to a long generation's first byte. */
const LATENCY_BOUNDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

export interface ProxyMetrics {
  answered(route: string, status: number, seconds: number): void;
  refused(error: GatewayError): void;
  /** `byDeployment`: what each deployment's calls were charged, when more than one was (settle.ts). */
  settled(event: UsageEvent, byDeployment?: DeploymentCharge[] | null): void;
  /**
   * Counts a request whose vendor call went to a deployment with no price in snapshot `version` (served
   * under no budget, charged 0); true the first time for that deployment and version, so the caller
   * logs it once per snapshot, not per request.
   */
  servedUnpriced(deploymentId: string, version: number): boolean;
  render(): string;
}

/** A code as a label: the gateway's own, or `vendor_rejected` for any code a vendor chose. */
const boundedCode = (code: string): string => (GATEWAY_ERROR_CODES.has(code) ? code : "vendor_rejected");

/**
 * Label sets by their values: serialized once, then found again through one Map per label, keyed by
 * the value itself. No key string is built per request: the values are the snapshot's own strings
 * (or small numbers), whose hashes the engine keeps, where a joined key was a new string to allocate
 * and hash every time (measured: ~9% of the proxy's CPU per request with joined keys).
 */
type LabelNode = Map<string | number, LabelNode | string>;

function labelCache(names: readonly string[]): (...values: (string | number)[]) => string {
  const root: LabelNode = new Map();
  return function labelSet(...values) {
    let node = root;
    for (let i = 0; i < values.length - 1; i++) {
      let next = node.get(values[i]!) as LabelNode | undefined;
      if (next === undefined) node.set(values[i]!, (next = new Map()));
      node = next;
    }
    const last = values[values.length - 1]!;
    let set = node.get(last) as string | undefined;
    if (set === undefined) {
      set = labels(Object.fromEntries(names.map((name, i) => [name, String(values[i] ?? "")])));
      node.set(last, set);
    }
    return set;
  };
}

export function createProxyMetrics(): ProxyMetrics {
  const answers = new CounterFamily("gateway_http_requests_total", "Answers by route (a known path, or other) and HTTP status.");
  const latency = new HistogramFamily("gateway_http_response_seconds", "Time from a request's arrival to its answer's headers (a stream's first chunk), by route.", LATENCY_BOUNDS);
  const refusals = new CounterFamily("gateway_refusals_total", "Requests refused before any vendor was called (key, body, authorization, residency, limits, shutting down), by error code.");
  const outcomes = new CounterFamily("gateway_requests_settled_total", "Requests that reached the vendor step, by endpoint, usage status (ok, error, client_closed) and error code.");
  const attempts = new CounterFamily("gateway_vendor_attempts_total", "Vendor calls and skipped deployments, by deployment, provider, outcome (ok, error, skipped) and reason.");
  const fallbacks = new CounterFamily("gateway_fallbacks_total", "Requests answered (or last tried) by a deployment other than their alias's first, by alias.");
  const tokens = new CounterFamily("gateway_tokens_total", "Tokens by deployment and class (input, cached_input, cache_write, output, reasoning); cached_input and cache_write are part of input, reasoning part of output: sum input and output only.");
  const cost = new CounterFamily("gateway_cost_micros_total", "Charged cost in micro-USD, by deployment.");
  const unpriced = new CounterFamily("gateway_unpriced_calls_total", "Requests served (or last tried) by a deployment with no price in the snapshot, charged 0 (only requests under no budget reach one), by deployment.");
  // Per deployment, the snapshot version its missing price was last reported for (bounded by the deployments).
  const unpricedReported = new Map<string, number>();

  const routeStatus = labelCache(["route", "status"]);
  const routeOnly = labelCache(["route"]);
  const codeOnly = labelCache(["code"]);
  const outcome = labelCache(["endpoint", "status", "code"]);
  const attempt = labelCache(["deployment", "provider", "outcome", "reason"]);
  const aliasOnly = labelCache(["alias"]);
  const tokenClass = labelCache(["deployment", "class"]);
  const deploymentOnly = labelCache(["deployment"]);

  const charged = (deploymentId: string, usage: NormalizedUsage, costMicros: number) => {
    if (usage.inputTokens > 0) tokens.add(tokenClass(deploymentId, "input"), usage.inputTokens);
    if (usage.cachedInputTokens > 0) tokens.add(tokenClass(deploymentId, "cached_input"), usage.cachedInputTokens);
    if (usage.cacheWriteTokens > 0) tokens.add(tokenClass(deploymentId, "cache_write"), usage.cacheWriteTokens);
    if (usage.outputTokens > 0) tokens.add(tokenClass(deploymentId, "output"), usage.outputTokens);
    if (usage.reasoningTokens > 0) tokens.add(tokenClass(deploymentId, "reasoning"), usage.reasoningTokens);
    if (costMicros > 0) cost.add(deploymentOnly(deploymentId), costMicros);
  };

  return {
    answered(route, status, seconds) {
      answers.add(routeStatus(route, status));
      latency.observe(routeOnly(route), seconds);
    },
    refused(error) {
      refusals.add(codeOnly(boundedCode(errorCode(error))));
    },
    settled(event, byDeployment = null) {
      outcomes.add(outcome(event.endpoint, event.status, event.errorCode === null ? "" : boundedCode(event.errorCode)));
      for (const step of event.attemptTrail ?? []) {
        // "unsupported_parameter:n" → "unsupported_parameter": a reason names a kind, not a value.
        const colon = step.reason === null ? -1 : step.reason.indexOf(":");
        const reason = step.reason === null ? "" : colon < 0 ? step.reason : step.reason.slice(0, colon);
        attempts.add(attempt(step.deploymentId, step.provider, step.outcome, reason));
      }
      if (event.fallback) fallbacks.add(aliasOnly(event.alias));
      // A refused answer was billed by the deployment that sent it: each call's charge is booked there.
      if (byDeployment !== null) for (const charge of byDeployment) charged(charge.deploymentId, charge.usage, charge.costMicros);
      else if (event.deploymentId !== null) charged(event.deploymentId, event.usage, event.costMicros);
    },
    servedUnpriced(deploymentId, version) {
      unpriced.add(deploymentOnly(deploymentId));
      if (unpricedReported.get(deploymentId) === version) return false;
      unpricedReported.set(deploymentId, version);
      return true;
    },
    render() {
      return [answers, latency, refusals, outcomes, attempts, fallbacks, tokens, cost, unpriced].map((family) => family.render()).join("");
    },
  };
}
