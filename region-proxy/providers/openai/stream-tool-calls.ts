/**
 * What a stream's tool call deltas need from the deltas before them, per choice:
 * - each call its own index: the SDK's ChatCompletionStream builds calls by index, so two parallel calls
 *   a vendor sends under one index (Ollama, LiteLLM's ollama_chat), told apart only by their ids,
 *   would become one call with both argument strings glued together. A call gets the next index of
 *   its choice when its index first appears or when a new id arrives, with a name, at an index that
 *   holds another; the deltas that follow (arguments) go to the call their index last started. A new
 *   id without a name is not a new call (a call's first delta names it, argument pieces never do):
 *   some vendors send a different id on each delta of one call (Poolside, vLLM's gpt-oss path,
 *   mlx-openai-server). OpenAI's own
 *   indices (0, 1, 2 in order) come out unchanged; a gap (0, 2) is closed, which the SDK needs too (a
 *   hole in its tool_calls array is an undefined call).
 * - its id and name once: a later delta's id (the same again, or another: the client keeps the call's
 *   first) and a name that repeats what the call's deltas named (MiniMax via NVIDIA NIM resends it on
 *   every delta) are removed, as OpenAI sends neither there. The Node SDK overwrites id and name, but
 *   openai-python's stream helper concatenates every string (lib/streaming/_deltas.py accumulate_delta):
 *   the client's call was "call_1call_1", "get_weatherget_weather". A name is taken as repeated only
 *   when its delta resends the call's id too (MiniMax repeats both): a name sent in pieces comes with
 *   the id once, so "a" then "a" (id absent) is the name "aa" and goes on unchanged.
 * - a type: a call sent without one (Mistral's API, older vLLM and Ollama) gets type "function" on its
 *   first delta with a function, as OpenAI sends it and as check-tool-calls.ts sets it unstreamed: the
 *   SDK refuses a call it never saw typed ("missing choices[0].tool_calls[0].type").
 * Created on a stream's first tool call delta: a stream without any costs nothing.
 *
 * @example const calls = createStreamToolCalls();
 *          calls.take(0, [{ index: 0, id: "call_a", function: { name: "f", arguments: "{}" } }]); // now typed "function"
 *          calls.take(0, [{ index: 0, id: "call_b", function: { name: "g", arguments: "{}" } }]); // now index 1
 */

/** A tool call delta checkChoice (stream.ts) let through: an integer index, string id, name and arguments. */
export interface ToolCallDelta {
  index: number;
  id?: string | null;
  type?: unknown;
  function?: { name?: string | null; arguments?: string | null } | null;
}

/** What the stream has sent of one tool call. */
interface CallSent {
  /** Its id, once one came. */
  id: string | null;
  /** The index the client sees it under. */
  index: number;
  /** Its name as its deltas have sent it so far. */
  name: string;
  typed: boolean;
}

/** One choice's calls, by the index the vendor sends them under. */
interface ChoiceCalls {
  byVendorIndex: Map<number, CallSent>;
  nextIndex: number;
}

export interface StreamToolCalls {
  /** Completes one choice's tool call deltas (in place) from what the earlier ones sent. */
  take(choiceIndex: number, calls: ToolCallDelta[]): void;
}

export function createStreamToolCalls(): StreamToolCalls {
  const choices = new Map<number, ChoiceCalls>();
  return {
    take(choiceIndex, calls) {
      let choice = choices.get(choiceIndex);
      if (choice === undefined) choices.set(choiceIndex, (choice = { byVendorIndex: new Map(), nextIndex: 0 }));
      for (const call of calls) {
        const id = call.id || null; // the SDK ignores an empty id as it does a missing one
        let sent = choice.byVendorIndex.get(call.index);
        const name = call.function?.name || null;
        if (sent === undefined || (id !== null && sent.id !== null && id !== sent.id && name !== null)) {
          sent = { id, index: choice.nextIndex++, name: name ?? "", typed: false };
          choice.byVendorIndex.set(call.index, sent);
        } else {
          let repeatsId = false; // this delta resends the call's id: a repeat, not a piece
          if (sent.id === null) sent.id = id;
          else if (id !== null) {
            repeatsId = id === sent.id;
            call.id = undefined; // sent already (undefined: JSON leaves it out)
          }
          if (name !== null) {
            if (repeatsId && name === sent.name) call.function!.name = undefined;
            else sent.name += name;
          }
        }
        if (call.index !== sent.index) call.index = sent.index;
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
