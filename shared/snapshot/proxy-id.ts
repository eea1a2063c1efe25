/**
 * The id a region proxy reports itself by when it polls (its PROXY_ID, sent with each snapshot poll):
 * the control plane lists only ids of this shape (`regions { proxies }`), and the proxy refuses any
 * other at start, so a replica is never silently left out of the list.
 *
 * @example PROXY_ID_PATTERN.test("local-eu") // true; PROXY_ID_PATTERN.test("pod 1") // false
 */
export const PROXY_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
