/**
 * Requests whose body a reader gave up on before its end (over the limit, declared or counted while
 * read; or failed mid-way): the server answers them with `Connection: close`, as the client may still
 * be sending the rest, which nobody reads (left open, that connection held a graceful stop for its
 * whole grace period). Request.bodyUsed cannot tell: it is true once reading began, finished or not.
 *
 * @example if (read === "too_large") { leftBodyUnread(request); return json413(); }
 *          // the server: if (bodyLeftUnread(request)) response.headers.set("connection", "close");
 */
const unread = new WeakSet<Request>();

/** The reader stopped before the body's end (or never began on a body it refused). */
export function leftBodyUnread(request: Request): void {
  unread.add(request);
}

export function bodyLeftUnread(request: Request): boolean {
  return unread.has(request);
}
