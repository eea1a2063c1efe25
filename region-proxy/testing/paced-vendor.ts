/**
 * A vendor whose every model is a script in time, behind a real proxy: it may hold its headers, send
 * its stream's frames one write at a time, then end the body or keep it open; each model is one
 * deployment (with its own timeouts if the script sets them) and alias, and `chains` adds aliases over
 * several. For the tests of what a request is charged when calls time out or its client leaves. Prices
 * are whole micro-USD per token (PACED_PRICE), so a charge is exact.
 *
 * @example const v = await startPacedVendor({ slow: { provider: "openai", holdMs: 3000, timeouts: { firstByteMs: 500 } } });
 *          const { event } = await v.stream("slow");
 */
import type { Price } from "../../shared/money/cost.ts";
import type { DeploymentTimeouts, ProviderKind } from "../../shared/snapshot/schema.ts";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import { createProxyFixture, REGION, waitFor } from "./proxy-fixture.ts";

export interface PacedScript {
  provider: ProviderKind;
  status?: number;
  /** The unstreamed answer's body. */
  json?: unknown;
  /** The streamed answer's body, one write per frame. */
  frames?: string[];
  /** After the frames: end the body (default) or keep it open. */
  then?: "end" | "hang";
  /** How long the vendor waits before answering (its headers, or a whole unstreamed answer). */
  holdMs?: number;
  timeouts?: DeploymentTimeouts;
  /** Its model's price, if not PACED_PRICE. */
  price?: Price;
}

/** Every paced model's price in micro-USD per million tokens: per token 10 input, 1 cached, 20 cache write, 40 output, 80 reasoning. */
export const PACED_PRICE = { input: 10_000_000, output: 40_000_000, cachedInput: 1_000_000, cacheWrite: 20_000_000, reasoning: 80_000_000 };

export async function startPacedVendor(scripts: Record<string, PacedScript>, chains: Record<string, string[]> = {}) {
  const calls = new Map<string, number>();
  const encoder = new TextEncoder();
  const vendor = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    idleTimeout: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      const body = await req.text();
      const inPath = /\/models\/([^/:]+):/.exec(path)?.[1] ?? /\/deployments\/([^/]+)\//.exec(path)?.[1];
      const model = decodeURIComponent(inPath ?? (JSON.parse(body) as { model: string }).model);
      const stream = path.includes(":") ? path.includes("streamGenerateContent") : (JSON.parse(body) as { stream?: unknown }).stream === true;
      calls.set(model, (calls.get(model) ?? 0) + 1);
      const script = scripts[model];
      if (!script) return Response.json({ error: { message: `no script for ${model}` } }, { status: 404 });
      if (script.holdMs) await Bun.sleep(script.holdMs);
      if (!stream || !script.frames) return Response.json(script.json ?? {}, { status: script.status ?? 200 });
      const frames = script.frames;
      const streamed = new ReadableStream({
        start(controller) {
          for (const frame of frames) controller.enqueue(encoder.encode(frame));
          if ((script.then ?? "end") === "end") controller.close();
        },
      });
      return new Response(streamed, { status: script.status ?? 200, headers: { "content-type": "text/event-stream" } });
    },
  });
  const fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      for (const [model, script] of Object.entries(scripts)) {
        const id = `dep_${model}`;
        const baseUrl = `http://127.0.0.1:${vendor.port}${script.provider === "openai" ? "/v1" : ""}`;
        s.deployments[id] = { id, provider: script.provider, baseUrl, model, region: REGION, credentialRef: "env:ECHO_KEY", ...(script.timeouts ? { timeouts: script.timeouts } : {}) };
        s.aliases[model] = { name: model, chain: [id] };
        s.pricing[`${script.provider}:${model}`] = script.price ?? PACED_PRICE;
      }
      for (const [alias, models] of Object.entries(chains)) s.aliases[alias] = { name: alias, chain: models.map((model) => `dep_${model}`) };
    }),
  );
  // A breaker that never opens: a test's timeouts must not close the deployment to the next request.
  const proxy = await fx.startProxy({}, { health: createMemoryBreaker({ failureThreshold: 1_000_000 }) });
  const eventOf = async (requestId: string): Promise<UsageEvent> => {
    await waitFor(() => fx.origin.events().some((e) => e.requestId === requestId), `usage event ${requestId}`, 15_000);
    return fx.origin.events().find((e) => e.requestId === requestId)!;
  };
  let sent = 0;
  const post = (body: Record<string, unknown>, signal?: AbortSignal) => {
    const requestId = `paced-${Date.now()}-${sent++}`;
    const response = fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}`, "x-request-id": requestId, "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], ...body }),
      signal,
    });
    return { requestId, response };
  };
  return {
    fx,
    proxy,
    /** How many times the vendor was called, per model. */
    calls,
    /** One unstreamed chat, read whole: its status and the request's usage event. */
    async chat(model: string) {
      const { requestId, response } = post({ model });
      const answer = await response;
      await answer.text();
      return { status: answer.status, event: await eventOf(requestId) };
    },
    /** One streamed chat (usage asked), read to its end. */
    async stream(model: string) {
      const { requestId, response } = post({ model, stream: true, stream_options: { include_usage: true } });
      const answer = await response;
      const text = await answer.text();
      return { status: answer.status, text, event: await eventOf(requestId) };
    },
    /** One streamed chat whose client leaves after `ms`, reading what came until then. */
    async streamThenLeave(model: string, ms: number) {
      const controller = new AbortController();
      const { requestId, response } = post({ model, stream: true }, controller.signal);
      setTimeout(() => controller.abort(), ms);
      try {
        await (await response).text();
      } catch {
        // the client's own abort
      }
      return { event: await eventOf(requestId) };
    },
    async stop() {
      await fx.cleanup();
      vendor.stop(true);
    },
  };
}
