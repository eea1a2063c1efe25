/**
 * The 404 for a path the route table does not hold, worded for the client that sent it: an OpenAI
 * endpoint the gateway does not serve (the Responses API, files, images...) is named as such, a path
 * the gateway serves under /v1 but sent without it (a base_url missing /v1) says where the API lives,
 * an Azure deployment path (the openai package's AzureOpenAI class) says to use the OpenAI client, a
 * served path sent with a trailing slash or doubled slashes (a base_url ending in "/" joined to
 * "/chat/completions") names the path it meant, and every message lists what the gateway serves.
 * Paths are matched as sent, as OpenAI matches them (its 404 "Invalid URL (POST /v1/chat/completions/)"),
 * so the client's base_url is fixed once instead of every request being served under a second spelling.
 * Built only when a request is not routed.
 *
 * @example unroutedPath("/v1/responses") // 404 unknown_url "/v1/responses is an OpenAI API endpoint that is not served by this gateway. ..."
 */
import type { GatewayError } from "../shared/errors/openai-error.ts";

const SERVES = "This gateway serves POST /v1/chat/completions, POST /v1/embeddings, GET /v1/models and GET /v1/models/{model}.";

/** OpenAI API endpoints the gateway does not serve, as paths after /v1 (each with its sub-paths). */
const OPENAI_UNSERVED = [
  "responses", "conversations", "completions", "chat/completions", "audio", "images", "videos", "moderations", "files", "uploads",
  "batches", "assistants", "threads", "vector_stores", "fine_tuning", "realtime", "evals", "containers", "chatkit", "organization",
];

/** The paths after /v1 the gateway does serve (the route table's API routes). */
const SERVED = ["chat/completions", "embeddings", "models"];

/**
 * Azure OpenAI's deployment paths, as the AzureOpenAI class builds them: /openai/deployments/{d}/...
 * from `endpoint`, {baseURL}/deployments/{d}/... from a `baseURL` (ending in /v1 or /openai).
 */
const AZURE_DEPLOYMENT_PATH = /^(?:\/v1)?(?:\/openai)?\/deployments\/[^/]+(?:\/|$)/;

/** `path` with each run of slashes as one and no trailing slash: "//v1//models/" → "/v1/models". */
const tidied = (path: string) => path.replace(/\/{2,}/g, "/").replace(/(.)\/$/, "$1");

/** A path the route table serves (under some method): an API route, or one model's. */
const isServedPath = (path: string) => SERVED.some((p) => path === `/v1/${p}`) || /^\/v1\/models\/[^/]+$/.test(path);

const under = (path: string, prefixes: readonly string[]) => prefixes.some((p) => path === p || path.startsWith(`${p}/`));

/**
 * OpenAI API endpoints at a path the gateway serves under another method: the list of stored chat
 * completions (the SDK's chat.completions.list()) and the deletion of a fine-tuned model
 * (models.delete()). Keyed by the route table's path (its label for /v1/models/{id}).
 */
const OPENAI_UNSERVED_METHODS: Readonly<Record<string, readonly string[]>> = {
  "/v1/chat/completions": ["GET", "HEAD"],
  "/v1/models/{id}": ["DELETE"],
};

/**
 * The 404 for a method an OpenAI API path (`route`, the route table's key; `path`, as sent) is not
 * served under: OpenAI answers a method it has no endpoint for with a 404 (`Invalid URL (GET
 * /v1/embeddings)`), not a 405, so the SDKs raise NotFoundError, as for every endpoint not served
 * here. An OpenAI endpoint is named as one not served; any other method is an unknown endpoint.
 *
 * @example unservedMethod("GET", "/v1/chat/completions", "/v1/chat/completions") // "GET /v1/chat/completions is an OpenAI API endpoint that is not served by this gateway. ..."
 */
export function unservedMethod(method: string, route: string, path: string): GatewayError {
  if (OPENAI_UNSERVED_METHODS[route]?.includes(method)) {
    return { kind: "not_found", message: `${method} ${path} is an OpenAI API endpoint that is not served by this gateway. ${SERVES}` };
  }
  return { kind: "not_found", message: `Unknown endpoint ${method} ${path}. ${SERVES}` };
}

export function unroutedPath(sent: string): GatewayError {
  const path = tidied(sent);
  if (path !== sent && isServedPath(path)) {
    return {
      kind: "not_found",
      message:
        `Unknown path ${sent}: did you mean ${path}? Paths are matched exactly, without a trailing slash or doubled slashes ` +
        `(set the client's base_url to the gateway's URL ending in /v1, with no trailing slash). ${SERVES}`,
    };
  }
  if (AZURE_DEPLOYMENT_PATH.test(path)) {
    return {
      kind: "not_found",
      message:
        `${sent} is an Azure OpenAI deployment path: the AzureOpenAI client class is not supported by this gateway. ` +
        `Use the OpenAI client with base_url set to the gateway's URL ending in /v1, the gateway key as api_key and an alias as model. ${SERVES}`,
    };
  }
  if (path.startsWith("/v1/") && under(path.slice(4), OPENAI_UNSERVED)) {
    return { kind: "not_found", message: `${sent} is an OpenAI API endpoint that is not served by this gateway. ${SERVES}` };
  }
  if (!path.startsWith("/v1/") && under(path.slice(1), [...SERVED, ...OPENAI_UNSERVED])) {
    return {
      kind: "not_found",
      message: `Unknown path ${sent}: the gateway serves the OpenAI API under /v1 (/v1${path}), so set the client's base_url to the gateway's URL ending in /v1. ${SERVES}`,
    };
  }
  return { kind: "not_found", message: `Unknown path ${sent}. ${SERVES}` };
}
