/**
 * Polls until `check` is true (or fails after timeoutMs with the message): for a test waiting on
 * something done in the background, instead of a fixed sleep. Its own file so that unit tests can
 * wait without importing the proxy fixture (and the whole proxy behind it).
 *
 * @example await waitFor(() => released === 1, "the probe slot given back");
 */
export async function waitFor(check: () => boolean | Promise<boolean>, message: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await Bun.sleep(20);
  }
  throw new Error(`timed out waiting for: ${message}`);
}
