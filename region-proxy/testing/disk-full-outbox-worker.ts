/**
 * The outbox thread for outbox-thread-lose.test.ts on a full disk: it starts normally, but every KV
 * commit fails as Deno KV's does there, "disk I/O error" followed by a multi-line Rust backtrace.
 */
import { openKv } from "@deno/kv";

export const DISK_FULL_ERROR = [
  "disk I/O error",
  "",
  "Stack backtrace:",
  "   0: anyhow::error::<impl anyhow::Error>::msg",
  "   1: denokv_sqlite::sqlite_retry_loop",
  "   2: denokv_sqlite::SqliteBackend::atomic_write",
  "   3: tokio::runtime::task::core::Core<T,S>::poll",
  "   4: std::sys::pal::unix::thread::Thread::new::thread_start",
].join("\n");

// Every KV of this thread shares the one atomic-operation class: patched before the real thread opens its KV.
const probe = await openKv();
const atomic = Object.getPrototypeOf(probe.atomic()) as { commit(): Promise<unknown> };
probe.close();
atomic.commit = () => Promise.reject(new Error(DISK_FULL_ERROR));

await import("../outbox/outbox-worker.ts");
