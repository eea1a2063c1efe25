/**
 * The request id: a client's `x-request-id` is echoed only when it is a plain token (it ends up in
 * logs and usage events); otherwise the gateway makes one (`req_...`).
 */
import { newId } from "../../shared/ids.ts";

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export function requestIdFor(request: Request): string {
  const given = request.headers.get("x-request-id");
  return given && CLIENT_REQUEST_ID.test(given) ? given : newId("req");
}
