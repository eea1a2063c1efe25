/**
 * SIGTERM/SIGINT for a service's main.ts (the proxy's and the control plane's), installed BEFORE its
 * start, which takes seconds (the proxy's first poll, Redis and KV; the control plane's database
 * connect and migrations). The image runs Bun as PID 1, which ignores a signal it has no handler for,
 * so a `docker stop` during a start with handlers installed after it was dropped, and the service came
 * up and served until SIGKILL.
 *
 * During the start: a first signal is logged and stops the service as soon as the start completes
 * (graceful stop, exit 0); a second exits at once with 128 + the signal's number (130 SIGINT, 143
 * SIGTERM), as a shell reports a process the signal ended: nothing is in flight yet.
 * Once started: the first stops gracefully and exits 0; a second calls `stopNow` where the service has
 * one (stop at once, then exit 130/143), else exits at once; a third exits without waiting for anything.
 */

export interface StoppableService {
  /** The graceful stop. */
  stop(): Promise<void>;
  /** Stops without waiting for work in flight (a second signal); the graceful stop then ends sooner. */
  stopNow?(why: string): Promise<void>;
}

export interface StopOnSignalsOptions {
  /** The service's log: a signal during the start is told there. */
  log: (line: string) => void;
  /** Runs once the service stopped, before the exit (e.g. a "stopped" line). */
  afterStop?: () => void;
}

/**
 * Installs the handlers, then runs `start`. Answers the started service; when a signal came during
 * the start, stops it and exits instead (never answers). A rejected start is passed on (the caller's
 * refusal line), handlers left in place.
 */
export async function startStoppingOnSignals<T extends StoppableService>(start: () => Promise<T>, options: StopOnSignalsOptions): Promise<T> {
  let service: T | null = null;
  let signals = 0;
  let exitCode = 0;
  const stopAndExit = async (running: T) => {
    await running.stop();
    options.afterStop?.();
    process.exit(exitCode);
  };
  const onSignal = (signal: "SIGTERM" | "SIGINT") => {
    signals++;
    if (signals > 1) exitCode = signal === "SIGINT" ? 130 : 143;
    if (!service) {
      if (signals > 1) process.exit(exitCode);
      return options.log(`${signal} while starting: stopping as soon as the start completes`);
    }
    if (signals === 1) return void stopAndExit(service);
    if (signals === 2 && service.stopNow) return void service.stopNow(`second signal (${signal})`);
    process.exit(exitCode);
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));
  service = await start();
  if (signals > 0) await stopAndExit(service);
  return service;
}
