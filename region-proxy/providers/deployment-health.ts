/**
 * The executor's view of a circuit breaker: asked right before each attempt (so a half-open probe slot
 * is only taken by a request that really calls the deployment), told how each attempt went.
 * region-proxy/breaker/'s CircuitBreaker satisfies it as is.
 */
export interface DeploymentHealth {
  /** Truthy = may attempt; `"probe"` = this request holds the half-open probe slot (see releaseProbe). */
  canAttempt(deploymentId: string): Promise<boolean | "probe"> | boolean | "probe";
  /** The deployment answered; for a stream, told at its clean end (a stream that breaks later is a failure). */
  onSuccess(deploymentId: string): Promise<void> | void;
  /**
   * Only failures that say the deployment is unhealthy (5xx, network, a timeout, garbage, a 4xx the
   * deployment caused; not a 429, which is the vendor pacing us, nor a stream cut by its time limit
   * while still sending chunks, which is a long answer).
   */
  onFailure(deploymentId: string): Promise<void> | void;
  /**
   * After a `"probe"` grant only, when the attempt ends with neither onSuccess nor onFailure: the
   * client left, no vendor call was made (a parameter the deployment refuses), the vendor answered
   * 429, or a stream was cut by its time limit while still sending chunks. Frees the probe slot at
   * once instead of after the breaker's probe timeout. (A 4xx the caller caused is onSuccess: the
   * deployment answered.)
   */
  releaseProbe?(deploymentId: string): Promise<void> | void;
  /** What is left of the deployment's cool-down in ms (0: may be tried now), for the Retry-After when every deployment was skipped; absent: 0. */
  coolDownLeftMs?(deploymentId: string): Promise<number> | number;
}

/** Every deployment may always be tried; what runs when no breaker is wired in. */
export const alwaysHealthy: DeploymentHealth = {
  canAttempt: () => true,
  onSuccess: () => {},
  onFailure: () => {},
  releaseProbe: () => {},
  coolDownLeftMs: () => 0,
};
