/**
 * A deployment's baseUrl: the vendor root the proxy appends the operation's path to by string
 * concatenation (`{baseUrl}/chat/completions`, `{baseUrl}/v1/messages`, `{baseUrl}/v1beta/models/...`),
 * so it carries no fragment, no surrounding whitespace and, except for Azure, no query: each sent every
 * call to a wrong path (`/v1?tag=eu/chat/completions`, `/v1%20%20/chat/completions`). Azure's adapter
 * reads one thing from the query, the pinned `api-version` of the dated API
 * (../../region-proxy/providers/azure/request.ts) and drops the rest, and the v1 API
 * (`.../openai/v1`) takes none, so an Azure query is `api-version=<version>` alone and only on the
 * dated form. And it is written as fetch will read it: the URL parser drops tabs and line breaks
 * anywhere, percent-decodes and lower-cases the host, drops a default port and resolves `..`, so a
 * value that differs from its parsed form could show an approver one host
 * (`https://api.openai.com%2eattacker.example`) while the proxy connects to another, with the first
 * one's credential. Such a value is refused showing the form to write, never rewritten: the approver
 * reviews exactly what is stored. A value stored before these checks is left as it is (a
 * deployment.update checks only a baseUrl it writes, or one whose provider it changes). It is at most
 * 2048 characters, as a region's publicUrl (MAX_URL_LENGTH).
 *
 * @example requireDeploymentBaseUrl("baseUrl", "azure", "https://r.openai.azure.com?api-version=2024-10-21") // returned as is
 * @example requireDeploymentBaseUrl("baseUrl", "openai", "https://api.openai.com/v1?tag=eu") // throws BAD_USER_INPUT
 */
import { badInput } from "../graphql/errors.ts";
import { requireHttpUrl, requireUrlLength, urlQueryAndFragment } from "../graphql/validate.ts";
import { requireAzureApiVersion } from "./azure-api-version.ts";

/** What Azure's api-versions are made of (`2024-10-21`, `2025-04-01-preview`, `preview`). */
const AZURE_QUERY = /^api-version=[A-Za-z0-9._-]+$/;

/** The baseUrl unchanged, or BAD_USER_INPUT naming `field` and why the proxy could not use it. */
export function requireDeploymentBaseUrl(field: string, provider: string, value: string): string {
  // No vendor root is longer; a longer one would sit in every snapshot of its region and each call's URL.
  requireUrlLength(field, value);
  if (value !== value.trim()) throw badInput(field, "must not begin or end with whitespace: the proxy appends the vendor's path to the baseUrl as written");
  requireHttpUrl(field, value);
  requireAsRead(field, value);
  const { query, fragment } = urlQueryAndFragment(value);
  if (fragment !== null) throw badInput(field, "must not carry a fragment (#...): the proxy appends the vendor's path to the baseUrl, which would land inside the fragment");
  if (query !== null) requireQueryFor(field, provider, value, query);
  return requireAzureApiVersion(field, provider, value);
}

/**
 * Refuses a baseUrl that is not its own parsed form (`new URL(value).href`), allowing one difference:
 * a root path's slash left out (`https://api.anthropic.com`, `https://r.openai.azure.com?api-version=...`).
 */
function requireAsRead(field: string, value: string): void {
  const read = new URL(value).href;
  // The authority of a parsed http(s) URL holds no '/', '?' or '#', so this finds the root path's slash.
  const withoutRootSlash = read.replace(/^(https?:\/\/[^/?#]*)\/(?=[?#]|$)/, "$1");
  if (value !== read && value !== withoutRootSlash) {
    throw badInput(
      field,
      `is read as ${read} (the URL parser drops tabs and line breaks, decodes and lower-cases the host, drops a default port and resolves dot segments), so an approver would review another URL than the one the proxy calls; write it as ${read}`,
    );
  }
}

function requireQueryFor(field: string, provider: string, value: string, query: string): void {
  if (provider !== "azure") {
    throw badInput(field, "must not carry a query (?...): the proxy appends the vendor's path to the baseUrl, which would land inside the query (only an Azure baseUrl may pin ?api-version=)");
  }
  if (/\/openai\/v1\/*$/.test(new URL(value).pathname)) {
    throw badInput(field, "must not carry a query on Azure's v1 API (a path ending in /openai/v1): it takes no api-version, and the proxy sends none");
  }
  if (!AZURE_QUERY.test(query)) {
    throw badInput(field, "may carry only ?api-version=<version> (letters, digits, '.', '-', '_') on Azure: the proxy reads that parameter alone and would drop any other");
  }
}
