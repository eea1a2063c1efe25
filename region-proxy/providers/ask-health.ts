/**
 * How the walk talks to its breaker (DeploymentHealth): a store that fails or hangs must neither fail
 * a request nor hold it past its deadline, and an answer that is not a promise is used as it is.
 */
import { isThenable } from "../../shared/is-thenable.ts";
import type { DeploymentHealth } from "./deployment-health.ts";

/** What a breaker call needs from the walk's options. */
export interface HealthDeps {
  health: DeploymentHealth;
  log: (line: string) => void;
}

/** A request granted the half-open probe slot gives it back when it ends without a verdict. */
export function releaseProbe(grant: boolean | "probe", depId: string, opts: HealthDeps, deadline?: number): Promise<void> | void {
  if (grant === "probe") return askHealth(() => opts.health.releaseProbe?.(depId), undefined, opts.log, deadline);
}

/**
 * May the request try this deployment? askHealth's rules (fail open, bounded by `deadline`), with a
 * grant that comes after the request gave up waiting given back (a probe slot is no one's then). The
 * in-process breaker answers at once: nothing is allocated for it beyond its own answer.
 */
export function askCanAttempt(depId: string, opts: HealthDeps, deadline: number): Promise<boolean | "probe"> | boolean | "probe" {
  let answer: Promise<boolean | "probe"> | boolean | "probe";
  try {
    answer = opts.health.canAttempt(depId);
  } catch (error) {
    return unavailable(error, true, opts.log);
  }
  if (!isThenable(answer)) return answer;
  return waitFor(answer, true, opts.log, deadline, (late) => void releaseProbe(late, depId, opts));
}

/**
 * A broken breaker store must not fail requests: its answer falls back to `fallback` (fail open).
 * A synchronous answer (the in-process breaker) comes back as it is, so the caller awaits only a
 * promise: the success path then takes no extra promise round trip for its question. With a
 * `deadline` (the request's), a store that has not answered by then (Redis hung mid-connection, whose
 * own command timeout may be longer than the time left) answers `fallback` too, so no request waits
 * on its breaker past its deadline; the answer that comes later goes to `late`. Asked once the
 * deadline has passed (a verdict after a timeout), the store is told without being waited for.
 */
export function askHealth<T>(call: () => Promise<T> | T, fallback: T, log: (line: string) => void, deadline?: number, late?: (answer: T) => void): Promise<T> | T {
  let answer: Promise<T> | T;
  try {
    answer = call();
  } catch (error) {
    return unavailable(error, fallback, log);
  }
  return isThenable(answer) ? waitFor(answer, fallback, log, deadline, late) : answer;
}

function unavailable<T>(error: unknown, fallback: T, log: (line: string) => void): T {
  log(`circuit breaker unavailable: ${(error as Error).message}`);
  return fallback;
}

/** A store's pending answer, within `deadline`; with no time left, `fallback` at once and the answer to `late`. */
function waitFor<T>(answer: PromiseLike<T>, fallback: T, log: (line: string) => void, deadline?: number, late?: (answer: T) => void): Promise<T> | T {
  const settled = Promise.resolve(answer).catch((error: unknown) => unavailable(error, fallback, log));
  if (deadline === undefined) return settled;
  if (Date.now() >= deadline) {
    // The request is over: nothing waits for this answer, so a store that answers as usual (after the
    // deadline, as every answer now is) is not "not answering". A failing store is still logged.
    if (late) void settled.then(late);
    return fallback;
  }
  return answeredBy(settled, deadline, fallback, log, late);
}

/** `answer`, or `fallback` once `deadline` has passed (a timer may fire early: it waits until it truly has). */
function answeredBy<T>(answer: Promise<T>, deadline: number, fallback: T, log: (line: string) => void, late?: (answer: T) => void): Promise<T> {
  return new Promise((resolve) => {
    let gaveUp = false;
    const onTimer = () => {
      const left = deadline - Date.now();
      if (left > 0) {
        timer = setTimeout(onTimer, left);
        return;
      }
      gaveUp = true;
      log("circuit breaker did not answer before the request's deadline");
      resolve(fallback);
    };
    let timer = setTimeout(onTimer, deadline - Date.now());
    void answer.then((value) => {
      if (gaveUp) return late?.(value);
      clearTimeout(timer);
      resolve(value);
    });
  });
}
