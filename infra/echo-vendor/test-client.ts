/**
 * For the echo vendor's tests: starts one vendor (port 0, key sk-echo) for the file and an official
 * OpenAI client on it, stopped after the file.
 *
 * @example const echo = useEchoVendor(); test("…", async () => echo.client.chat.completions.create(…));
 */
import { afterAll, beforeAll } from "bun:test";
import OpenAI from "openai";
import { startEchoVendor, type EchoVendor } from "./server.ts";

export const ECHO_TEST_KEY = "sk-echo";

export function useEchoVendor(): { vendor: EchoVendor; client: OpenAI; post(path: string, body: unknown): Promise<Response> } {
  const state = {} as { vendor: EchoVendor; client: OpenAI; post(path: string, body: unknown): Promise<Response> };
  beforeAll(async () => {
    state.vendor = await startEchoVendor({ port: 0, apiKey: ECHO_TEST_KEY });
    state.client = new OpenAI({ baseURL: `${state.vendor.url}/v1`, apiKey: ECHO_TEST_KEY, maxRetries: 0 });
    state.post = (path, body) =>
      fetch(`${state.vendor.url}${path}`, { method: "POST", headers: { authorization: `Bearer ${ECHO_TEST_KEY}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  });
  afterAll(() => state.vendor.stop());
  return state;
}
