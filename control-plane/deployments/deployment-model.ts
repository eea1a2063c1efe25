/**
 * A deployment's model: the vendor's model id (`gpt-4o-mini`, `ft:gpt-4o-mini:acme::9AbC`,
 * `models/gemini-1.5-pro`) or, for Azure, the deployment name (letters, digits, `-`, `_`, `.`). Every one
 * of them is visible ASCII (0x21-0x7E). The proxy sends it to the vendor and copies it into the
 * x-gateway-model header of every answer, and a header value cannot carry a line break or another
 * control character, nor anything outside Latin-1: such a model made every answer from its deployment
 * fail. It is refused here, at input, rather than encoded somewhere downstream; a value stored before
 * this check is left as it is (a deployment.update checks only a model it writes).
 *
 * @example requireDeploymentModel("model", " gpt-4o ") // "gpt-4o"
 * @example requireDeploymentModel("model", "echo-模型") // throws BAD_USER_INPUT "model: ... U+6A21 ..."
 */
import { badInput } from "../graphql/errors.ts";
import { requireText } from "../graphql/validate.ts";

const MAX_MODEL_LENGTH = 200;
/** The first character that is not visible ASCII: a space, a control character (C0, DEL, C1) or non-ASCII. */
const NOT_VISIBLE_ASCII = /[^\x21-\x7E]/u;

/** The model trimmed, or BAD_USER_INPUT naming `field` and the first character it cannot carry. */
export function requireDeploymentModel(field: string, value: string): string {
  const model = requireText(field, value, MAX_MODEL_LENGTH);
  const bad = NOT_VISIBLE_ASCII.exec(model)?.[0];
  if (bad !== undefined) {
    const codePoint = `U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
    throw badInput(
      field,
      `must be visible ASCII only (letters, digits and punctuation such as . _ - : / @), as vendor model ids and Azure deployment names are; it holds ${codePoint} at position ${model.indexOf(bad)}, and no space, line break, control or non-ASCII character can travel in the x-gateway-model header the proxy answers with`,
    );
  }
  return model;
}
