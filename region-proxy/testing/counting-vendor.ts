/**
 * Vendors that give every call the same answer and count the calls, for the walk's tests over
 * executeChat (no proxy) where each deployment of a chain needs its own answer; each is stopped after
 * the test that started it.
 *
 * @example const vendor = useCountingVendors();
 *          test("...", async () => { const v = vendor(() => Response.json(completion)); ...v.url...; expect(v.calls()).toBe(1); });
 */
import { afterEach } from "bun:test";

export interface CountingVendor {
  /** `http://127.0.0.1:<port>`, without a path. */
  url: string;
  calls(): number;
}

/** Registers the file's afterEach; returns the function that starts one vendor. */
export function useCountingVendors(): (answer: () => Response) => CountingVendor {
  const servers: ReturnType<typeof Bun.serve>[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.stop(true);
  });
  return (answer) => {
    let calls = 0;
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: () => (calls++, answer()) });
    servers.push(server);
    return { url: `http://127.0.0.1:${server.port}`, calls: () => calls };
  };
}
