import { expect, test } from "bun:test";
import { adminTokenProblem } from "./admin-token-problem.ts";

test("a token a request can present passes: 16 to 512 printable ASCII characters, no whitespace, no '.'", () => {
  for (const ok of ["admtok_0123456789abcdefghijklmnopqrstuv", "x".repeat(16), "x".repeat(512), "!#$%&'()*+,-/:;<=>?@[]^_`{|}~0123"]) expect(adminTokenProblem(ok)).toBeNull();
});

test("each value that could never authenticate is named for what is wrong, never echoing it", () => {
  const cases: [string, string][] = [
    ["admtok_from_a_k8s_secret_0123456789\n", "contains whitespace (a trailing newline from a file?)"],
    ["admtok_from_a_k8s_secret_0123456789\r\n", "contains whitespace (a trailing newline from a file?)"],
    ["correct horse battery staple 0123", "contains whitespace;"],
    ["break.glass.token-0123456789abcdef", "contains '.'"],
    ["admtok_ünïcode_0123456789abcdef", "printable ASCII"],
    ["short", "at least 16 characters"],
    ["x".repeat(513), "at most 512 characters, got 513"],
  ];
  for (const [token, why] of cases) {
    const problem = adminTokenProblem(token);
    expect([JSON.stringify(token).slice(0, 40), problem]).toEqual([JSON.stringify(token).slice(0, 40), expect.stringContaining(why)]);
    expect(problem).not.toContain(token.trim());
  }
});
