/** mediaUrlProblem on the URLs parsers read differently (fr12's final read of e1bdbce). */
import { expect, test } from "bun:test";
import { mediaUrlProblem } from "./media-url.ts";
import { GEMINI_FILES_URL_REFUSED } from "./vendor-file-references.ts";

const refused = (url: string) => ({ url, refused: mediaUrlProblem(url) !== null });

test("a url the WHATWG parser cannot read is refused: Python's urlsplit (vLLM) reads a host from some", () => {
  // urllib.parse.urlsplit("http://[fe80::1%25eth0]/").hostname == "fe80::1%25eth0"; WHATWG throws on zone ids and bad ports.
  for (const url of ["http://[fe80::1%25eth0]/x.png", "http://[fe80::1%eth0]/", "http://10.0.0.1:99999/", "not a url"]) expect(refused(url)).toEqual({ url, refused: true });
  expect(mediaUrlProblem("http://10.0.0.1:99999/")).toContain("not a URL");
});

test("IPv6 forms that embed a private or link-local IPv4 address are refused", () => {
  for (const url of ["http://[64:ff9b::a00:5]/x.png", "http://[64:ff9b::a9fe:a9fe]/", "http://[64:ff9b:1::a00:5]/", "http://[::ffff:0:a9fe:a9fe]/", "http://[::127.0.0.1]/", "http://[::7f00:1]/"]) {
    expect(refused(url)).toEqual({ url, refused: true });
  }
  for (const url of ["http://[64:ff9b::808:808]/x.png", "http://[2001:db8::1]/"]) expect(refused(url)).toEqual({ url, refused: false });
});

test("kubernetes.default (and .svc) is a local name", () => {
  for (const url of ["http://kubernetes.default/api", "http://kubernetes.default.svc/api", "https://KUBERNETES.DEFAULT./api"]) expect(refused(url)).toEqual({ url, refused: true });
});

test("a space in the path is no ambiguity; a space before data: is still a data URL", () => {
  expect(mediaUrlProblem("https://example.com/my photo.png")).toBeNull();
  expect(mediaUrlProblem(" data:image/png;base64,iVBORw0KGgo=")).toBeNull();
  for (const url of ["http://example.com\\@10.0.0.5/", "http://exa mple.com/", "http://example.com\t@10.0.0.5/x", "http://10.0.0.5\\.example.com/"]) expect(refused(url)).toEqual({ url, refused: true });
});

test("a URL on Gemini's API host is refused as a Files API file, with userinfo and with private hosts allowed; look-alike hosts are not", () => {
  for (const url of ["https://user@generativelanguage.googleapis.com/v1beta/files/a.png", "https://u:p@GENERATIVELANGUAGE.googleapis.com.:443/v1beta/files/a", "https://generativelanguage%2Egoogleapis.com/v1beta/files/a"]) {
    expect({ url, problem: mediaUrlProblem(url) }).toEqual({ url, problem: GEMINI_FILES_URL_REFUSED });
    expect({ url, problem: mediaUrlProblem(url, true) }).toEqual({ url, problem: GEMINI_FILES_URL_REFUSED });
  }
  for (const url of ["https://generativelanguage.googleapis.com.example.com/v1beta/files/a", "https://example.com/v1beta/files/a"]) expect({ url, problem: mediaUrlProblem(url) }).toEqual({ url, problem: null });
  // Credentials on any other host are still refused as credentials.
  expect(mediaUrlProblem("https://user@example.com/a.png")).toContain("credentials");
});
