/**
 * OpenAI takes a `developer` message on every chat model (it replaces `system`); Azure knows the role
 * only from api-version 2024-12-01-preview on (learn.microsoft.com .../openai/how-to/reasoning, "Developer
 * Messages"; the 2024-10-21 GA spec lists system, user, assistant, tool and function), and an older
 * dated version, the gateway's default 2024-10-21 included, refuses it: "Invalid value: 'developer'.
 * Supported values are: 'system', 'assistant', 'user', 'function', and 'tool'." (run-llama/llama_index#17544).
 * There the gateway sends the message as `system`, as a model before o1 reads it. o1 and later do not
 * run on those versions ("enabled only for api versions 2024-12-01-preview and later"); o1-preview and
 * o1-mini, which do (2024-09-01-preview added their max_completion_tokens), take neither role on them
 * (developer: the refusal above, for o1-mini in llama_index#17748; system: "'messages[0].role' does not
 * support 'system' with this model", crewAIInc/crewAI#1633, OpenHands/OpenHands#4839), so on them a
 * developer message is refused by Azure, as system. A newer version or the v1 API gets it as sent.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeAzure } from "../../../test/fakes/azure.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { REGION } from "../../testing/proxy-fixture.ts";
import { useVendorProxy } from "../testing/use-vendor-proxy.ts";

let azure: FakeVendor;
beforeAll(async () => {
  azure = await startFakeAzure({ apiKey: "azure-fake-key" });
});
afterAll(async () => {
  await azure?.stop();
});
const BASE_URLS = {
  dflt: () => azure.url,
  old: () => `${azure.url}?api-version=2024-10-01-preview`,
  newer: () => `${azure.url}?api-version=2025-01-01-preview`,
  v1: () => `${azure.url}/openai/v1`,
};
const t = useVendorProxy({
  proxy: { credentials: { AZURE_KEY: "azure-fake-key" } },
  configure(s) {
    for (const [alias, url] of Object.entries(BASE_URLS)) {
      s.deployments[`dep_${alias}`] = { id: `dep_${alias}`, provider: "azure", baseUrl: url(), model: "gpt-4o-deployment", region: REGION, credentialRef: "env:AZURE_KEY" };
      s.aliases[alias] = { name: alias, chain: [`dep_${alias}`] };
    }
  },
});
const messages = [
  { role: "developer" as const, content: "Answer in French." },
  { role: "user" as const, content: "hello" },
];
const sentRoles = () => (azure.lastRequest()!.body as { messages: { role: string }[] }).messages.map((m) => m.role);

for (const alias of ["dflt", "old"]) {
  test(`${alias}: a developer message reaches an api-version without the role as system, streamed or not`, async () => {
    const client = t.fx.client(t.proxy);
    const answer = await client.chat.completions.create({ model: alias, messages });
    expect(answer.choices[0]!.message.content).toBe("Echo: hello");
    expect(sentRoles()).toEqual(["system", "user"]);
    const final = await client.chat.completions.stream({ model: alias, messages }).finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe("Echo: hello");
    expect(sentRoles()).toEqual(["system", "user"]);
  });
}

for (const alias of ["newer", "v1"]) {
  test(`${alias}: a version that knows the role gets the developer message as sent`, async () => {
    const answer = await t.fx.client(t.proxy).chat.completions.create({ model: alias, messages });
    expect(answer.choices[0]!.message.content).toBe("Echo: hello");
    expect(sentRoles()).toEqual(["developer", "user"]);
  });
}
