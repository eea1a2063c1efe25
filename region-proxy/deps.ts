/** What the routes need, wired once in main.ts and passed down (no module-level state). */
import type { UsageEvent } from "../shared/usage/usage-event.ts";
import type { ProviderKind } from "../shared/snapshot/schema.ts";
import type { CredentialResolver } from "./credentials/resolve-credential.ts";
import type { InFlight } from "./in-flight.ts";
import type { ProxyMetrics } from "./metrics/proxy-metrics.ts";
import type { OutboxStatus } from "./outbox/outbox-thread.ts";
import type { Limits } from "./pipeline/limits.ts";
import type { DeploymentHealth } from "./providers/deployment-health.ts";
import type { ProviderAdapter } from "./providers/types.ts";
import type { CurrentSnapshot } from "./snapshot/current.ts";
import type { AppendUsage } from "./pipeline/settle.ts";

export interface ProxyDeps {
  region: string;
  proxyId: string;
  current: CurrentSnapshot;
  limits: Limits;
  health: DeploymentHealth;
  /** True while the shared circuit breaker (Redis) is unreachable and this replica's in-process one answers (reported on /health). */
  breakerDegraded?(): boolean;
  adapterFor: (kind: ProviderKind) => ProviderAdapter | null;
  resolveCredential: CredentialResolver;
  /** Hands a usage event to the metrics and the outbox, which owns it from then on (and logs one it cannot write). */
  appendUsage: AppendUsage;
  /** The outbox's backlog and drops, for /health (absent where no outbox runs). */
  usageOutbox?: () => OutboxStatus;
  inFlight: InFlight;
  /** Counters for GET /metrics; the token a scraper must present (null: /metrics is not served). */
  metrics: ProxyMetrics;
  metricsToken: string | null;
  maxBodyBytes: number;
  /** How long a request body may take to arrive, whole (BODY_READ_TIMEOUT_MS, else DEFAULT_BODY_READ_TIMEOUT_MS: main.ts). */
  bodyReadTimeoutMs: number;
  /** ALLOW_PRIVATE_MEDIA_URLS: media URLs aimed inside the operator's network are sent on, not refused (absent: refused). */
  allowPrivateMediaUrls?: boolean;
  timeouts: { firstByteMs: number; totalMs: number };
  isShuttingDown: () => boolean;
  /**
   * Sets one request's idle timeout (Bun's server.timeout, seconds, at most 255): a stream is given
   * its own deadline's, so a deployment allowed longer than the proxy's default total is not cut by
   * the server's idle timer while its vendor thinks in silence. Absent before the server listens.
   */
  idleTimeoutFor?: (request: Request, seconds: number) => void;
  log: (line: string) => void;
}
