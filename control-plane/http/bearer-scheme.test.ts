/**
 * RFC 9110 §11.1: the auth scheme is case-insensitive and 1*SP separates it from the credentials;
 * §11.6.1 / §15.5.2: a 401 carries WWW-Authenticate. The proxy accepts `bearer` and extra spaces
 * (region-proxy/pipeline/authenticate.ts); the control plane's /graphql and internal endpoints do too.
 */
import { beforeAll, expect, test } from "bun:test";
import { SNAPSHOT_PATH_PREFIX, USAGE_PATH } from "../../shared/internal-api.ts";
import { LEASES_PATH } from "../../shared/leases/lease-wire.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let regionToken: string;
beforeAll(async () => {
  regionToken = (await t.admin.request<{ createRegion: { token: string } }>(`mutation { createRegion(input: { name: "eu" }) { token } }`)).createRegion.token;
});

const me = (authorization: string) =>
  fetch(new URL("/graphql", t.cp.url), { method: "POST", headers: { "content-type": "application/json", authorization }, body: JSON.stringify({ query: "{ me { id } }" }) });
const snapshot = (authorization: string) => fetch(new URL(SNAPSHOT_PATH_PREFIX + "eu", t.cp.url), { headers: { authorization } });
const post = (path: string, authorization: string) =>
  fetch(new URL(path, t.cp.url), { method: "POST", headers: { "content-type": "application/json", authorization }, body: JSON.stringify({ events: [], levels: [] }) });

const schemes = (token: string) => [`Bearer ${token}`, `bearer ${token}`, `BEARER ${token}`, `Bearer  ${token}`, `Bearer\t${token}`, `Bearer ${token} `];

test("the scheme in any case, with extra spaces or a tab, authenticates on /graphql and the region endpoints", async () => {
  for (const authorization of schemes(t.adminToken)) expect([authorization, (await me(authorization)).status]).toEqual([authorization, 200]);
  for (const authorization of schemes(regionToken)) {
    expect([authorization, (await snapshot(authorization)).status]).toEqual([authorization, 200]);
    expect([authorization, (await post(USAGE_PATH, authorization)).status]).not.toEqual([authorization, 401]);
    expect([authorization, (await post(LEASES_PATH, authorization)).status]).not.toEqual([authorization, 401]);
  }
});

test("malformed headers are still refused: no scheme, another scheme, no token, a space inside the token", async () => {
  for (const authorization of [t.adminToken, `Basic ${t.adminToken}`, "Bearer ", `Bearer${t.adminToken}`, `Bearer ${t.adminToken} x`]) {
    expect([authorization, (await me(authorization)).status]).toEqual([authorization, 401]);
  }
});

test("every 401 names its scheme in WWW-Authenticate", async () => {
  const challenge = 'Bearer realm="control-plane"';
  const answers = [await me("Bearer admtok_wrong"), await snapshot("Bearer regtok_wrong"), await post(USAGE_PATH, "Bearer regtok_wrong"), await post(LEASES_PATH, "")];
  expect(answers.map((r) => [r.status, r.headers.get("www-authenticate")])).toEqual(answers.map(() => [401, challenge]));
});
