/**
 * The executor's view of a circuit breaker: asked right before each attempt (so a half-open probe slot
 * is only taken by a request that really calls the deployment), told how each attempt went.
 * region-proxy/breaker/'s CircuitBreaker satisfies it as is.
 */
export interface DeploymentHealth {
  canAttempt(deploymentId: string): Promise<boolean> | boolean;
  onSuccess(deploymentId: string): Promise<void> | void;
  /** Only failures that say the deployment is unhealthy (5xx, 429, network, timeout, garbage). */
  onFailure(deploymentId: string): Promise<void> | void;
}

/** Every deployment may always be tried; what runs when no breaker is wired in. */
export const alwaysHealthy: DeploymentHealth = {
  canAttempt: () => true,
  onSuccess: () => {},
  onFailure: () => {},
};
