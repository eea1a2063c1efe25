/**
 * Anthropic's 400 for tool_use and tool_result blocks that do not pair up, in its words, or null. It
 * checks them once the request parses: each tool_result answers a tool_use of the message just before
 * it, at most once, and each tool_use is answered in the message just after it (an assistant message
 * ending the conversation on tool_use is refused the same way). Messages are read in order and the
 * first problem found is the one reported. Where the results sit in the next message is not checked.
 *
 * @example toolPairingProblem([{ role: "user", content: [{ type: "tool_result", tool_use_id: "x" }] }]) // "messages.0.content.0: unexpected `tool_use_id` …"
 */
import type { AnthropicMessage } from "./anthropic-request.ts";

type IdBlock = { type: string; id?: unknown; tool_use_id?: unknown };

const blocks = (message: AnthropicMessage | undefined): IdBlock[] => (message && Array.isArray(message.content) ? (message.content as IdBlock[]) : []);
const useIds = (message: AnthropicMessage | undefined) => (message?.role === "assistant" ? blocks(message).flatMap((b) => (b.type === "tool_use" ? [b.id as string] : [])) : []);
const resultIds = (message: AnthropicMessage | undefined) => (message?.role === "user" ? blocks(message).flatMap((b) => (b.type === "tool_result" ? [b.tool_use_id as string] : [])) : []);

export function toolPairingProblem(messages: AnthropicMessage[]): string | null {
  for (const [i, message] of messages.entries()) {
    const unanswered = useIds(message).filter((id) => !resultIds(messages[i + 1]).includes(id));
    if (unanswered.length > 0) {
      return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${unanswered.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    }
    if (message.role !== "user") continue;
    const asked = useIds(messages[i - 1]);
    const seen = new Set<string>();
    for (const [j, block] of blocks(message).entries()) {
      if (block.type !== "tool_result") continue;
      const id = block.tool_use_id as string;
      if (!asked.includes(id)) {
        return `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
      if (seen.has(id)) return `messages.${i}.content.${j}: each tool_use must have a single result. Found multiple \`tool_result\` blocks with id: ${id}`;
      seen.add(id);
    }
  }
  return null;
}
