/**
 * The proxy the request-parsing tests share (region-proxy/openai/*-at-parse.test.ts and the like): the
 * Anthropic and Gemini fakes behind deployments dep_claude and dep_gemini, serving the models named,
 * and each alias given over its chain of deployment ids (dep_echo1 is the fixture's OpenAI echo
 * vendor). `post` (VendorProxy's) sends a chat completion body as raw JSON with the main key, for bodies the SDK would
 * not send (a field of the wrong type, a null). Its fields are set once beforeAll has run.
 *
 * @example const t = useClaudeAndGeminiBehindProxy({ claude: "claude-fake", gemini: "gemini-2.5-flash" }, { claude_then_openai: ["dep_claude", "dep_echo1"] });
 *          test("...", async () => { expect((await t.post({ model: "claude_then_openai", messages, logit_bias: 5 })).status).toBe(400); });
 */
import { fakeDeployment, useVendorProxy, type VendorProxy } from "./use-vendor-proxy.ts";

export type ClaudeAndGeminiProxy = VendorProxy;

export function useClaudeAndGeminiBehindProxy(models: { claude: string; gemini: string }, aliases: Record<string, string[]>): ClaudeAndGeminiProxy {
  const t = useVendorProxy({
    fakes: ["anthropic", "gemini"],
    configure(s) {
      s.deployments.dep_claude = fakeDeployment("dep_claude", "anthropic", t.anthropic.url, models.claude);
      s.deployments.dep_gemini = fakeDeployment("dep_gemini", "gemini", t.gemini.url, models.gemini);
      for (const [name, chain] of Object.entries(aliases)) s.aliases[name] = { name, chain };
    },
  });
  return t;
}
