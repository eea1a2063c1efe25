/**
 * Whether two deployments serve the same vendor model, and so the same context window: after one
 * refused a prompt as too long, the walk skips the other (calling it would only be refused again,
 * and billed by some vendors for the tokens read). Same provider and model name; for Azure and
 * OpenAI also the same server (`baseUrl`): an Azure deployment's `model` is a name the operator chose,
 * not the vendor model (`chat` on two resources may be two models), and an OpenAI-format deployment
 * may be any OpenAI-compatible server (vLLM, Together, a self-hosted one) whose `model` is the name its
 * operator serves, with the window that server was started with: "llama-3.1-70b" at 8k on one and at
 * 128k on another is the usual fall-back-to-a-larger-window chain. Anthropic's and Gemini's names are
 * the vendor's models.
 *
 * @example sameWindow({ provider: "openai", baseUrl: "https://api.openai.com/v1", model: "gpt-4o", ... }, { provider: "openai", baseUrl: "https://api.openai.com/v1", model: "gpt-4o", ... }) // true
 */
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";

/** Providers whose `model` is a name the server's operator chose, so the same name elsewhere may be another window. */
const NAMED_BY_SERVER: ReadonlySet<SnapshotDeployment["provider"]> = new Set(["openai", "azure"]);

export function sameWindow(a: SnapshotDeployment, b: SnapshotDeployment): boolean {
  if (a.provider !== b.provider || a.model !== b.model) return false;
  return !NAMED_BY_SERVER.has(a.provider) || a.baseUrl === b.baseUrl;
}

/** The trail's reason for a deployment skipped because one of the same vendor model refused the prompt as too long. */
export const SAME_WINDOW_TOO_LONG = "context_length_same_model";
