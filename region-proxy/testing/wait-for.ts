/**
 * The wait for a test running within bun's per-test default (5 s, as waitFor's own default): a failing
 * wait must end first, so the test fails with "timed out waiting for: ..." naming what never happened,
 * not with bun's "test timed out after 5000ms".
 */
export const UNIT_TEST_WAIT_MS = 2_000;

/**
 * Polls until `check` is true (or fails after timeoutMs with the message): for a test waiting on
 * something done in the background, instead of a fixed sleep. Its own file so that unit tests can
 * wait without importing the proxy fixture (and the whole proxy behind it).
 *
 * @example await waitFor(() => released === 1, "the probe slot given back", UNIT_TEST_WAIT_MS);
 */
export async function waitFor(check: () => boolean | Promise<boolean>, message: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await Bun.sleep(20);
  }
  throw new Error(`timed out waiting for: ${message}`);
}
