/**
 * A deployment model as the Gemini resource it names, as Google's SDKs build it: a name that starts
 * with `models/` or `tunedModels/` (what ListModels and tuning return) is that resource, any other id
 * is under `models/`. In a URL the collection is a literal segment and the id one segment encoded
 * whole (a further `/`, `?` or `#` in it cannot reach another path or the query), with the method
 * (`:generateContent`) attached to it, so it is never a dot segment either.
 *
 * @example geminiModelResource("gemini-2.5-flash") // "models/gemini-2.5-flash"
 * @example geminiModelResource("tunedModels/my-model") // "tunedModels/my-model"
 * @example geminiModelPath("models/gemini-2.5-flash") // "models/gemini-2.5-flash"
 */
const COLLECTIONS = ["models", "tunedModels"] as const;

function split(model: string): { collection: string; id: string } {
  const collection = COLLECTIONS.find((c) => model.startsWith(`${c}/`));
  return collection ? { collection, id: model.slice(collection.length + 1) } : { collection: "models", id: model };
}

/** The resource name, as Gemini's request bodies carry it (`models/gemini-embedding-001`). */
export function geminiModelResource(model: string): string {
  const { collection, id } = split(model);
  return `${collection}/${id}`;
}

/** The resource name as a URL path after `/v1beta/`: the collection, then the id encoded as one segment. */
export function geminiModelPath(model: string): string {
  const { collection, id } = split(model);
  return `${collection}/${encodeURIComponent(id)}`;
}
