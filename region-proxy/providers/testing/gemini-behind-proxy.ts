/**
 * The proxy the Gemini refusal tests share: one Gemini deployment behind alias `gemini`, and alias
 * `down_gemini_echo` whose chain fails (a 500), reaches Gemini, then falls to the echo vendor, so a
 * test can show that a request refused for Gemini before the call goes on to the next deployment.
 * `client` (the official SDK at the proxy) and `fake` (the Gemini fake) are set once beforeAll has run.
 *
 * @example const gemini = useGeminiBehindProxy("gemini-2.5-flash");
 *          test("...", async () => { expect(await sendChat(gemini, { model: "gemini", messages })).toMatchObject({ refused: true }); });
 */
import { beforeAll } from "bun:test";
import type OpenAI from "openai";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { fakeDeployment, useVendorProxy } from "./use-vendor-proxy.ts";

export interface GeminiBehindProxy {
  client: OpenAI;
  fake: FakeVendor;
}

export function useGeminiBehindProxy(model: string): GeminiBehindProxy {
  const t = useVendorProxy({
    fakes: ["gemini"],
    configure(s) {
      s.deployments.dep_g = fakeDeployment("dep_g", "gemini", t.gemini.url, model);
      s.aliases.gemini = { name: "gemini", chain: ["dep_g"] };
      s.aliases.down_gemini_echo = { name: "down_gemini_echo", chain: ["dep_error500", "dep_g", "dep_echo1"] };
    },
  });
  const at = {} as GeminiBehindProxy;
  beforeAll(() => {
    at.fake = t.gemini;
    at.client = t.fx.client(t.proxy);
  });
  return at;
}
