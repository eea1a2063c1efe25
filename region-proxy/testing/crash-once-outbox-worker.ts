/**
 * The outbox thread for outbox-thread.test.ts, with one fault: the first time it runs for a data dir
 * it dies on its first append, before that batch is confirmed. Every other time it is the real thread.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ToOutboxWorker } from "../outbox/outbox-messages.ts";

declare const self: Worker;

let marker: string | null = null;
// Registered before the real thread's handler, so it sees each message first.
self.addEventListener("message", (event: MessageEvent<ToOutboxWorker>) => {
  const message = event.data;
  if (message.type === "init") marker = join(message.init.dataDir, "outbox-crashed-once");
  else if (message.type === "append" && marker && !existsSync(marker)) {
    writeFileSync(marker, "");
    process.exit(1);
  }
});
await import("../outbox/outbox-worker.ts");
