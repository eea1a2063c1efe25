/** Applies scheduled change requests whose time has come; one pass per tick, never overlapping. */
import type { AppDeps } from "../graphql/context.ts";
import { dueScheduledIds } from "./change-request.repo.ts";
import { applyChangeRequest } from "./change-request.service.ts";

const SCHEDULER = { id: "system:scheduler", clientAddress: null };

export async function applyDueChanges(deps: AppDeps): Promise<number> {
  let applied = 0;
  for (const id of await dueScheduledIds(deps.sql)) {
    try {
      await applyChangeRequest(deps, id, SCHEDULER);
      applied++;
    } catch (error) {
      // A stale or no-longer-approved request is marked and audited; the others still apply.
      deps.log(`scheduled change ${id} not applied: ${(error as Error).message}`);
    }
  }
  return applied;
}

export function startChangeTicker(deps: AppDeps, everyMs: number): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    running = applyDueChanges(deps)
      .catch((error) => deps.log(`change ticker failed: ${(error as Error).message}`))
      .finally(() => {
        busy = false;
      });
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
