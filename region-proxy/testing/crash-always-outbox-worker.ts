/**
 * The outbox thread for outbox-thread.test.ts, broken for good: it starts normally but dies on every
 * append, so nothing is ever confirmed.
 */
import type { ToOutboxWorker } from "../outbox/outbox-messages.ts";

declare const self: Worker;

// Registered before the real thread's handler, so it sees each message first.
self.addEventListener("message", (event: MessageEvent<ToOutboxWorker>) => {
  if (event.data.type === "append") process.exit(1);
});
await import("../outbox/outbox-worker.ts");
