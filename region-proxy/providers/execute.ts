/**
 * The ONE place that talks to vendors. Owns every fetch, timeout, abort, retry and fallback, so all
 * vendors fail the same way:
 *
 * - timeouts: `firstByteMs` until the vendor's headers (and, for a stream, its first chunk), and a
 *   `totalMs` deadline for the whole request, the body or stream included;
 * - the client's disconnect (request.signal) aborts the vendor call;
 * - the alias chain is walked in order: a retryable failure (429, 5xx, network, timeout, garbage)
 *   moves to the next deployment after a short jittered pause (a one-deployment chain gets one retry,
 *   except after a timeout, which would only double the wait); a permanent one (caller's 4xx) fails fast;
 * - a stream falls back only before its first chunk; after that it is committed to one vendor;
 * - the circuit breaker (DeploymentHealth) is asked before each attempt and told its outcome; a
 *   caller's 4xx or a client that left says nothing about the deployment and is not reported.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import type { CredentialResolver } from "../credentials/resolve-credential.ts";
import type { PlannedTarget } from "../pipeline/plan-route.ts";
import type { DeploymentHealth } from "./deployment-health.ts";
import { readSse } from "./sse-reader.ts";
import { VendorProtocolError, type ChatCompletion, type ChatRequest, type ResponseContext } from "./types.ts";
import { committedStream, readUntilChunks, type VendorStream } from "./vendor-stream.ts";

export type { VendorStream } from "./vendor-stream.ts";

export interface ExecuteOptions {
  firstByteMs: number;
  totalMs: number;
  resolveCredential: CredentialResolver;
  health: DeploymentHealth;
  /** The client's request signal: aborted when the client goes away. */
  clientSignal: AbortSignal;
  log: (line: string) => void;
  ctx: Omit<ResponseContext, "model">;
}

export interface Trail {
  /** The deployment that answered, or the last one tried. */
  deployment: SnapshotDeployment | null;
  attempts: number;
  /** True when the answer did not come from the first deployment of the plan. */
  fallback: boolean;
}

export type ExecuteResult =
  | { ok: true; kind: "complete"; completion: ChatCompletion; usage: NormalizedUsage; trail: Trail }
  | { ok: true; kind: "stream"; stream: VendorStream; trail: Trail }
  | { ok: false; error: GatewayError; clientClosed: boolean; trail: Trail };

type AttemptSuccess = Omit<Extract<ExecuteResult, { kind: "complete" }>, "trail"> | Omit<Extract<ExecuteResult, { kind: "stream" }>, "trail">;
type AttemptOutcome =
  | { ok: true; result: AttemptSuccess }
  | { ok: false; error: GatewayError; retryable: boolean; timedOut: boolean; clientClosed: boolean; reason: string };

const jitterMs = () => 20 + Math.random() * 60;

export async function executeChat(req: ChatRequest, targets: PlannedTarget[], opts: ExecuteOptions): Promise<ExecuteResult> {
  const deadline = Date.now() + opts.totalMs;
  const trail: Trail = { deployment: null, attempts: 0, fallback: false };
  let last: Extract<AttemptOutcome, { ok: false }> | null = null;
  const tries: PlannedTarget[] = [...targets];
  for (let i = 0; i < tries.length; i++) {
    const target = tries[i]!;
    const id = target.deployment.id;
    if (!(await askHealth(() => opts.health.canAttempt(id), true, opts.log))) {
      opts.log(`request ${opts.ctx.completionId}: deployment ${id} skipped (circuit open)`);
      continue;
    }
    if (trail.attempts > 0) await Bun.sleep(jitterMs());
    if (opts.clientSignal.aborted) return { ok: false, error: { kind: "upstream_error", message: "client closed" }, clientClosed: true, trail };
    if (Date.now() >= deadline) break;
    trail.deployment = target.deployment;
    trail.attempts++;
    trail.fallback = id !== targets[0]!.deployment.id;
    const outcome = await attempt(req, target, opts, deadline);
    if (outcome.ok) {
      await askHealth(() => opts.health.onSuccess(id), undefined, opts.log);
      return { ...outcome.result, trail } as ExecuteResult;
    }
    last = outcome;
    opts.log(`request ${opts.ctx.completionId}: deployment ${id} failed (${outcome.reason})`);
    if (outcome.clientClosed) return { ok: false, error: outcome.error, clientClosed: true, trail };
    if (!outcome.retryable) break;
    await askHealth(() => opts.health.onFailure(id), undefined, opts.log);
    if (targets.length === 1 && tries.length === 1 && !outcome.timedOut) tries.push(target);
  }
  const error: GatewayError =
    last?.error ?? (trail.attempts === 0 ? { kind: "upstream_error", message: "Every deployment for this model is temporarily unavailable." } : { kind: "upstream_timeout", message: "The model provider did not answer in time." });
  return { ok: false, error, clientClosed: false, trail };
}

/** A broken breaker store must not fail requests: its answer falls back to `fallback` (fail open). */
async function askHealth<T>(call: () => Promise<T> | T, fallback: T, log: (line: string) => void): Promise<T> {
  try {
    return await call();
  } catch (error) {
    log(`circuit breaker unavailable: ${(error as Error).message}`);
    return fallback;
  }
}

async function attempt(req: ChatRequest, target: PlannedTarget, opts: ExecuteOptions, deadline: number): Promise<AttemptOutcome> {
  const { deployment, adapter } = target;
  const credential = opts.resolveCredential(deployment.credentialRef);
  if (!credential.ok) {
    return { ok: false, error: { kind: "upstream_error", message: "The model provider is misconfigured." }, retryable: true, timedOut: false, clientClosed: false, reason: credential.reason };
  }
  const http = adapter.buildRequest(req, deployment, credential.credential);
  const controller = new AbortController();
  let timedOut = false;
  const timeoutAbort = () => {
    timedOut = true;
    controller.abort();
  };
  const onClientAbort = () => controller.abort();
  opts.clientSignal.addEventListener("abort", onClientAbort);
  const totalTimer = setTimeout(timeoutAbort, Math.max(0, deadline - Date.now()));
  let firstByteTimer: ReturnType<typeof setTimeout> | null = setTimeout(timeoutAbort, Math.min(opts.firstByteMs, Math.max(0, deadline - Date.now())));
  const clearFirstByte = () => {
    if (firstByteTimer) clearTimeout(firstByteTimer);
    firstByteTimer = null;
  };
  const cleanup = () => {
    clearFirstByte();
    clearTimeout(totalTimer);
    opts.clientSignal.removeEventListener("abort", onClientAbort);
  };
  const failed = (error: unknown, reason: string): AttemptOutcome => {
    cleanup();
    if (opts.clientSignal.aborted) return { ok: false, error: { kind: "upstream_error", message: "client closed" }, retryable: false, timedOut: false, clientClosed: true, reason: "client_closed" };
    if (timedOut) return { ok: false, error: { kind: "upstream_timeout", message: "The model provider did not answer in time." }, retryable: true, timedOut: true, clientClosed: false, reason: "timeout" };
    if (error instanceof VendorProtocolError || error instanceof SyntaxError) {
      return { ok: false, error: { kind: "upstream_invalid_response", message: "The model provider sent an invalid response." }, retryable: true, timedOut: false, clientClosed: false, reason: `invalid_response: ${(error as Error).message}` };
    }
    return { ok: false, error: { kind: "upstream_error", message: "The model provider could not be reached." }, retryable: true, timedOut: false, clientClosed: false, reason };
  };

  let response: Response;
  try {
    response = await fetch(http.url, { method: http.method, headers: http.headers, body: http.body, signal: controller.signal });
  } catch (error) {
    return failed(error, `network: ${(error as Error).message}`);
  }
  const ctx: ResponseContext = { ...opts.ctx, model: deployment.model };
  try {
    if (!response.ok) {
      clearFirstByte();
      const text = await response.text();
      cleanup();
      const verdict = adapter.classifyError(response.status, response.headers, text);
      return { ok: false, error: verdict.clientError, retryable: verdict.retryable, timedOut: false, clientClosed: false, reason: verdict.reason };
    }
    if (!req.stream) {
      clearFirstByte();
      const body: unknown = JSON.parse(await response.text());
      const { completion, usage } = adapter.parseResponse(body, ctx);
      cleanup();
      return { ok: true, result: { ok: true, kind: "complete", completion, usage } };
    }
    if (!response.body) throw new VendorProtocolError("stream response has no body");
    const events = readSse(response.body);
    const translator = adapter.createStreamTranslator(ctx);
    const first = await readUntilChunks(events, translator);
    clearFirstByte();
    return { ok: true, result: { ok: true, kind: "stream", stream: committedStream(events, translator, first, controller, cleanup, () => timedOut) } };
  } catch (error) {
    controller.abort();
    return failed(error, `read: ${(error as Error).message}`);
  }
}
