/**
 * Each choice's first delta names its role, as OpenAI sends it: a vendor that never does
 * (llama.cpp / lemonade send `role: null`, one-api leaves it out) gets role "assistant" on the first
 * delta of each choice, as stream-tool-calls.ts gives a call its missing type. The SDK's stream helper
 * refuses a choice it never saw a role for ("missing role for choice 0"). A role on a later delta
 * (Ollama and older LiteLLM repeat it on every one) is removed, as OpenAI sends none there: the
 * openai-python stream helper concatenates every string it is sent (lib/streaming/_deltas.py
 * accumulate_delta), so the client's message had role "assistantassistant…". A later choice with no
 * delta (null or left out) gets `{}`, which OpenAI's schema requires. A stream remembers one
 * boolean for choice 0 (n=1 costs one comparison a chunk), a set only for the others.
 *
 * @example const roles = createStreamRoles();
 *          roles.fill({ index: 0, delta: { content: "Hi", role: null } }); // delta.role now "assistant"
 *          roles.fill({ index: 0, delta: { content: "!", role: "assistant" } }); // role removed: not its first
 */

/** A choice checkChoice (stream.ts) let through: an integer index, a delta that is an object or nothing. */
interface StreamedChoice {
  index: number;
  delta?: { role?: unknown } | null;
}

export interface StreamRoles {
  /** Gives the choice's delta role "assistant" when it is the choice's first and names none; removes a later delta's role and gives a later choice without a delta `{}`. */
  fill(choice: StreamedChoice): void;
}

export function createStreamRoles(): StreamRoles {
  let firstSeen = false;
  let othersSeen: Set<number> | null = null;
  return {
    fill(choice) {
      if (choice.index === 0) {
        if (firstSeen) return laterDelta(choice);
        firstSeen = true;
      } else {
        if ((othersSeen ??= new Set()).has(choice.index)) return laterDelta(choice);
        othersSeen.add(choice.index);
      }
      if (choice.delta == null) choice.delta = { role: "assistant" };
      else if (choice.delta.role == null) choice.delta.role = "assistant";
    },
  };
}

/**
 * A choice's delta after its first: a role it repeats goes (undefined: JSON leaves it out), and a
 * missing or null delta is `{}`, as OpenAI's finish chunk has it (clients read `choice.delta.content`
 * unguarded: openai-python's stream helper calls `choice.delta.to_dict()`).
 */
function laterDelta(choice: StreamedChoice): void {
  if (choice.delta == null) choice.delta = {};
  else if (choice.delta.role != null) choice.delta.role = undefined;
}
