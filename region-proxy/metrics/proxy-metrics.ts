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
 * Label sets by their values: a tree with one level per label, each node finding the next label's
 * value through one Map keyed by the value itself, and each full set serialized once, on first use
 * (`routeStatus.of(route).of(status).text`). No key string is built per request: the values are the
 * snapshot's own strings (or small numbers), whose hashes the engine keeps, where a joined key was a
 * new string to allocate and hash every time (measured: ~9% of the proxy's CPU per request with
 * joined keys); nor an array of the values per lookup.
 */
class LabelNode {
  private readonly next = new Map<string | number, LabelNode>();
  /** The serialized label set (`{route="...",status="200"}`), once every label has a value; "" before. */
  readonly text: string;

  constructor(
    private readonly names: readonly string[],
    private readonly values: readonly (string | number)[],
  ) {
    this.text = values.length === names.length ? labels(Object.fromEntries(names.map((name, i) => [name, String(values[i])]))) : "";
  }

  /** The node for these values and `value` for the next label. */
  of(value: string | number): LabelNode {
    let node = this.next.get(value);
    if (node === undefined) this.next.set(value, (node = new LabelNode(this.names, [...this.values, value])));
    return node;
  }
}

const labelTree = (names: readonly string[]): LabelNode => new LabelNode(names, []);

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

  const routeStatus = labelTree(["route", "status"]);
  const routeOnly = labelTree(["route"]);
  const codeOnly = labelTree(["code"]);
  const outcome = labelTree(["endpoint", "status", "code"]);
  const attempt = labelTree(["deployment", "provider", "outcome", "reason"]);
  const aliasOnly = labelTree(["alias"]);
  const tokenClass = labelTree(["deployment", "class"]);
  const deploymentOnly = labelTree(["deployment"]);

  const charged = (deploymentId: string, usage: NormalizedUsage, costMicros: number) => {
    const classes = tokenClass.of(deploymentId);
    if (usage.inputTokens > 0) tokens.add(classes.of("input").text, usage.inputTokens);
    if (usage.cachedInputTokens > 0) tokens.add(classes.of("cached_input").text, usage.cachedInputTokens);
    if (usage.cacheWriteTokens > 0) tokens.add(classes.of("cache_write").text, usage.cacheWriteTokens);
    if (usage.outputTokens > 0) tokens.add(classes.of("output").text, usage.outputTokens);
    if (usage.reasoningTokens > 0) tokens.add(classes.of("reasoning").text, usage.reasoningTokens);
    if (costMicros > 0) cost.add(deploymentOnly.of(deploymentId).text, costMicros);
  };

  return {
    answered(route, status, seconds) {
      answers.add(routeStatus.of(route).of(status).text);
      latency.observe(routeOnly.of(route).text, seconds);
    },
    refused(error) {
      refusals.add(codeOnly.of(boundedCode(errorCode(error))).text);
    },
    settled(event, byDeployment = null) {
      outcomes.add(outcome.of(event.endpoint).of(event.status).of(event.errorCode === null ? "" : boundedCode(event.errorCode)).text);
      for (const step of event.attemptTrail ?? []) {
        // "unsupported_parameter:n" → "unsupported_parameter": a reason names a kind, not a value.
        const colon = step.reason === null ? -1 : step.reason.indexOf(":");
        const reason = step.reason === null ? "" : colon < 0 ? step.reason : step.reason.slice(0, colon);
        attempts.add(attempt.of(step.deploymentId).of(step.provider).of(step.outcome).of(reason).text);
      }
      if (event.fallback) fallbacks.add(aliasOnly.of(event.alias).text);
      // A refused answer was billed by the deployment that sent it: each call's charge is booked there.
      if (byDeployment !== null) for (const charge of byDeployment) charged(charge.deploymentId, charge.usage, charge.costMicros);
      else if (event.deploymentId !== null) charged(event.deploymentId, event.usage, event.costMicros);
    },
    servedUnpriced(deploymentId, version) {
      unpriced.add(deploymentOnly.of(deploymentId).text);
      if (unpricedReported.get(deploymentId) === version) return false;
      unpricedReported.set(deploymentId, version);
      return true;
    },
    render() {
      return [answers, latency, refusals, outcomes, attempts, fallbacks, tokens, cost, unpriced].map((family) => family.render()).join("");
    },
  };
}
