/**
 * compose.yaml as an operator follows its header's steps. No Docker daemon here: the file is read as
 * Compose would read it.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";

interface Service {
  environment?: Record<string, string>;
}

const text = await Bun.file(join(import.meta.dir, "compose.yaml")).text();
const compose = Bun.YAML.parse(text) as { services: Record<string, Service> };
const header = text.slice(0, text.search(/^[^#]/m));

test("a GW_CRED_* vendor key put in .env, as the header says, reaches the proxy under the same name", () => {
  // The proxies got GW_CRED_OPENAI_EU from ${OPENAI_EU_API_KEY:-}, a name said nowhere: GW_CRED_OPENAI_EU=sk-…
  // in .env reached no container, and the proxy started with an empty credential.
  expect(header).toContain("GW_CRED_");
  const credentials = Object.entries(compose.services).flatMap(([name, service]) =>
    Object.entries(service.environment ?? {})
      .filter(([variable]) => variable.startsWith("GW_CRED_"))
      .map(([variable, value]) => ({ name, variable, value })),
  );
  expect(credentials.length).toBeGreaterThan(0);
  for (const { name, variable, value } of credentials) expect(value, `${name}: ${variable}`).toBe(`\${${variable}:-}`);
});
