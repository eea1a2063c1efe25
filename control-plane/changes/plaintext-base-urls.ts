/**
 * The plaintext-baseUrl rule (../deployments/plaintext-base-url.ts) over a whole change: the deployments
 * whose baseUrl the change would set to plain http to a public host. Checked where the unpriced-routes
 * rule is, on the state a request would apply to: at a rollback's proposal (old values are judged as new
 * ones) and at approval or scheduled apply, so a request proposed while a control plane ran with
 * ALLOW_PLAINTEXT_VENDOR_URLS=true does not apply on one without it. A baseUrl the deployment already
 * has is not judged again (one stored before the rule, or under the opt-in), as proposals judge only a
 * value being written. Pure.
 *
 * @example newPlaintextBaseUrls(state, withWrites(state, writes)) // [{ deploymentId: "dep_1", baseUrl: "http://api.openai.com/v1" }]
 */
import { plaintextBaseUrlProblem, sendsCredentialSafely } from "../deployments/plaintext-base-url.ts";
import { ownEntry, type PolicyState } from "./policy-state.ts";

export interface PlaintextBaseUrl {
  deploymentId: string;
  baseUrl: string;
}

/** Each deployment of `after` whose baseUrl is plain http to a public host and differs from its baseUrl in `before`, by id. */
export function newPlaintextBaseUrls(before: PolicyState, after: PolicyState): PlaintextBaseUrl[] {
  const found: PlaintextBaseUrl[] = [];
  for (const deploymentId of Object.keys(after.deployment).sort()) {
    const baseUrl = ownEntry(after.deployment, deploymentId)?.baseUrl;
    if (baseUrl === undefined || sendsCredentialSafely(baseUrl) || ownEntry(before.deployment, deploymentId)?.baseUrl === baseUrl) continue;
    found.push({ deploymentId, baseUrl });
  }
  return found;
}

/** Names every one: "deployment dep_1's baseUrl http://... is plain http to a host ...; ...". */
export function plaintextBaseUrlsMessage(found: readonly PlaintextBaseUrl[]): string {
  return found.map((f) => `deployment ${f.deploymentId}'s baseUrl ${plaintextBaseUrlProblem(f.baseUrl)}`).join("; ");
}
