/**
 * The banner `npm start` prints: where everything listens, the secrets of the local stack, and a tour
 * that can be pasted as is.
 */
import type { RunningProxy } from "../../region-proxy/main.ts";
import type { LocalState } from "./local-state.ts";

export interface TourInput {
  controlPlaneUrl: string;
  adminToken: string;
  proxies: Record<string, RunningProxy>;
  echoUrl: string;
  state: LocalState;
  statePath: string;
  /** The bearer token of the proxies' GET /metrics for this run. */
  metricsToken: string;
  /** The PostgreSQL database (DATABASE_URL, as describeDatabase names it), when not the embedded one: starting over drops it too. */
  database?: string | null;
}

export function printTour({ controlPlaneUrl, adminToken, proxies, echoUrl, state, statePath, metricsToken, database }: TourInput): void {
  const eu = proxies.eu?.url ?? Object.values(proxies)[0]!.url;
  const key = state.demo!.keySecret;
  const alias = state.demo!.alias;
  const lines = [
    "",
    "LLM gateway is up (local, embedded defaults)",
    "",
    `  control plane (GraphQL)  ${controlPlaneUrl}/graphql`,
    ...Object.entries(proxies).map(([region, proxy]) => `  ${region} proxy (OpenAI API)  ${proxy.url}/v1   snapshot v${proxy.snapshotVersion()}`),
    `  echo vendor              ${echoUrl}/v1`,
    "",
    `  admin token   ${adminToken}`,
    `  demo tenant   ${state.demo!.tenantId}`,
    `  demo key      ${key}`,
    `  model alias   ${alias}`,
    `  (kept in ${statePath}; delete the data directory${database ? ` and drop the database ${database}` : ""} to start over)`,
    "",
    "Try it with curl:",
    `  curl -s ${eu}/v1/chat/completions -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" \\`,
    `    -H "X-Feature-Id: tour" -d '{"model":"${alias}","messages":[{"role":"user","content":"Hello from the EU"}]}'`,
    "",
    "Or with the OpenAI SDK (node):",
    `  import OpenAI from "openai";`,
    `  const client = new OpenAI({ baseURL: "${eu}/v1", apiKey: "${key}" });`,
    `  const reply = await client.chat.completions.create({ model: "${alias}", messages: [{ role: "user", content: "Hello" }] });`,
    "",
    "See the spend (GraphQL):",
    `  curl -s ${controlPlaneUrl}/graphql -H "Authorization: Bearer ${adminToken}" -H "Content-Type: application/json" \\`,
    `    -d '{"query":"{ spend(tenantId: \\"${state.demo!.tenantId}\\", from: \\"2020-01-01T00:00:00Z\\", to: \\"2100-01-01T00:00:00Z\\") { requests inputTokens outputTokens costUsd byModel { key costUsd } } }"}'`,
    "",
    "The proxy's Prometheus metrics (this run's token):",
    `  curl -s ${eu}/metrics -H "Authorization: Bearer ${metricsToken}"`,
    "",
    "Ctrl-C stops everything gracefully.",
    "",
  ];
  console.log(lines.join("\n"));
}
