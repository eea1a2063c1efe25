/**
 * Thrown by an adapter's `buildRequest` when the client asked for something the vendor cannot honour
 * (we refuse rather than silently drop or clamp it). The executor renders it as
 * `{ kind: "invalid_value", param, message }`, a 400 naming the parameter.
 *
 * @example throw new UnsupportedParameterError("n", "Anthropic answers one choice per request; n must be 1.")
 */
export class UnsupportedParameterError extends Error {
  override readonly name = "UnsupportedParameterError";
  constructor(
    readonly param: string,
    message: string,
    /**
     * The path the attempt trail may name (unsupported-parameter-reason.ts): `param` unless its last
     * field is one the client named (message-fields.ts), then the message or part holding it.
     */
    readonly tracedParam: string = param,
  ) {
    super(message);
  }
}

/** The client error an UnsupportedParameterError renders as. */
export function unsupportedParameterToGatewayError(error: UnsupportedParameterError): {
  kind: "invalid_value";
  message: string;
  param: string;
} {
  return { kind: "invalid_value", message: error.message, param: error.param };
}
