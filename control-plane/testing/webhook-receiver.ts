/**
 * A stand-in for a budget-webhook receiver on port 0: records every POST (headers, raw body and the
 * alert id it names), then answers with the given status or whatever `answer` returns (a slow answer,
 * an endless body, a side effect).
 *
 * @example const hook = webhookReceiver(503);
 *          try { ...; expect(hook.received.map((r) => r.alertId)).toEqual([id]); } finally { hook.stop(); }
 */
export interface ReceivedWebhook {
  headers: Headers;
  body: string;
  /** The body's alertId, null when the body is not JSON naming one. */
  alertId: string | null;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  stop(): void;
}

export function webhookReceiver(answer: number | ((request: Request) => Response | Promise<Response>) = 204): WebhookReceiver {
  const received: ReceivedWebhook[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    fetch: async (request) => {
      const body = await request.text();
      received.push({ headers: request.headers, body, alertId: alertIdOf(body) });
      return typeof answer === "number" ? new Response(null, { status: answer }) : answer(request);
    },
    error: () => new Response(null, { status: 500 }),
  });
  return { url: `http://127.0.0.1:${server.port}/hook`, received, stop: () => server.stop(true) };
}

function alertIdOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { alertId?: unknown };
    return typeof parsed?.alertId === "string" ? parsed.alertId : null;
  } catch {
    return null;
  }
}
