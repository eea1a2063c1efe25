/**
 * The outbox thread for outbox-thread.test.ts, with one fault: the first time it runs for a data dir,
 * its first batch confirmation reaches the request side as `null` instead of the object it posted (as
 * Bun once delivered a reply under load). Every other message, and every later run, is the real thread's.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FromOutboxWorker, ToOutboxWorker } from "../outbox/outbox-messages.ts";

declare const self: Worker;

let marker: string | null = null;
self.addEventListener("message", (event: MessageEvent<ToOutboxWorker>) => {
  if (event.data?.type === "init") marker = join(event.data.init.dataDir, "outbox-garbled-once");
});
const post = self.postMessage.bind(self);
self.postMessage = ((message: FromOutboxWorker) => {
  if (message.type === "committed" && marker && !existsSync(marker)) {
    writeFileSync(marker, "");
    return post(null);
  }
  return post(message);
}) as typeof self.postMessage;
await import("../outbox/outbox-worker.ts");
