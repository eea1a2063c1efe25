/**
 * What a stream's tool call deltas need from the deltas before them, per choice and tool call index.
 * A call sent without its type (Mistral's API, older vLLM and Ollama) gets type "function" on its first
 * delta with a function, as OpenAI sends it and as check-tool-calls.ts sets it unstreamed: the SDK's
 * ChatCompletionStream refuses a call it never saw typed ("missing choices[0].tool_calls[0].type").
 * Created on a stream's first tool call delta: a stream without any costs nothing.
 *
 * @example const calls = createStreamToolCalls();
 *          calls.take(0, [{ index: 0, id: "call_1", function: { name: "f", arguments: "" } }]); // the delta now has type "function"
 */

/** A tool call delta checkChoice (stream.ts) let through: an integer index, string id, name and arguments. */
export interface ToolCallDelta {
  index: number;
  id?: string | null;
  type?: unknown;
  function?: { name?: string | null; arguments?: string | null } | null;
}

/** What the stream has sent of one tool call. */
interface CallSeen {
  typed: boolean;
}

export interface StreamToolCalls {
  /** Completes one choice's tool call deltas (in place) from what the earlier ones sent. */
  take(choiceIndex: number, calls: ToolCallDelta[]): void;
}

export function createStreamToolCalls(): StreamToolCalls {
  // Per choice index, per tool call index.
  const choices = new Map<number, Map<number, CallSeen>>();
  return {
    take(choiceIndex, calls) {
      let seen = choices.get(choiceIndex);
      if (seen === undefined) choices.set(choiceIndex, (seen = new Map()));
      for (const call of calls) {
        let sent = seen.get(call.index);
        if (sent === undefined) seen.set(call.index, (sent = { typed: false }));
        if (sent.typed) continue;
        if (call.type != null) sent.typed = true;
        else if (call.function != null) {
          call.type = "function";
          sent.typed = true;
        }
      }
    },
  };
}
