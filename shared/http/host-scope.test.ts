/** hostScope reads a URL's host as the URL parser canonicalizes it (every IPv4 spelling, compressed IPv6), never resolving it. */
import { expect, test } from "bun:test";
import { hostScope } from "./host-scope.ts";

const CASES: [string, string][] = [
  ["http://127.0.0.1/", "loopback"],
  ["http://0x7f.1/", "loopback"],
  ["http://2130706433/", "loopback"],
  ["http://[::1]/", "loopback"],
  ["http://10.1.2.3/", "private"],
  ["http://172.16.0.1/", "private"],
  ["http://172.31.255.255/", "private"],
  ["http://192.168.0.1/", "private"],
  ["http://[fd12::1]/", "private"],
  ["http://169.254.169.254/", "link-local"],
  ["http://[fe80::1]/", "link-local"],
  ["http://[febf::1]/", "link-local"],
  ["http://0.0.0.0/", "unspecified"],
  ["http://[::]/", "unspecified"],
  ["http://100.64.0.1/", "shared"],
  ["http://100.127.255.255/", "shared"],
  ["http://[::ffff:169.254.169.254]/", "ipv4-mapped"],
  ["http://[64:ff9b::a00:5]/", "ipv4-embedded"],
  ["http://[64:ff9b::169.254.169.254]/", "ipv4-embedded"],
  ["http://[64:ff9b:1::a00:5]/", "ipv4-embedded"],
  ["http://[::ffff:0:a9fe:a9fe]/", "ipv4-embedded"],
  ["http://[::127.0.0.1]/", "ipv4-embedded"],
  ["http://[::7f00:1]/", "ipv4-embedded"],
  ["http://[64:ff9b::808:808]/", "public"],
  ["http://[::ffff:0:808:808]/", "public"],
  ["http://kubernetes.default/", "local-name"],
  ["http://kubernetes.default.svc/", "local-name"],
  ["http://metadata/", "local-name"],
  ["http://localhost/", "local-name"],
  ["http://vault.internal./", "local-name"],
  ["http://nas.home.arpa/", "local-name"],
  ["http://a.b.svc.cluster.local/", "local-name"],
  ["http://100.128.0.1/", "public"],
  ["http://172.32.0.1/", "public"],
  ["http://[fec0::1]/", "public"],
  ["http://[fc::1]/", "public"],
  ["http://api.internal.example.com/", "public"],
  ["http://example.com/", "public"],
];

test("each address range and name form gets its scope", () => {
  expect(CASES.map(([u]) => [u, hostScope(new URL(u).hostname)])).toEqual(CASES);
});
