/**
 * Vectors of one length other than the `dimensions` asked are the request's answer (a permanent 400
 * naming dimensions, billed, the deployment answered); vectors of several lengths, with or without
 * `dimensions`, stay the deployment breaking its protocol (transient, 502).
 */
import { expect, test } from "bun:test";
import { fromThrown } from "./attempt-outcome.ts";
import { DimensionsNotHonouredError } from "./dimensions-not-honoured.ts";
import { checkVectorLengths } from "./embedding-vectors.ts";

const thrownBy = (check: () => void): unknown => {
  try {
    check();
  } catch (error) {
    return error;
  }
  return null;
};
const state = { clientClosed: false, timedOut: null };

test("one length other than the dimensions asked: permanent, a 400 naming dimensions, the billed usage kept", () => {
  const error = thrownBy(() => checkVectorLengths([8, 8], 4000));
  expect(error).toBeInstanceOf(DimensionsNotHonouredError);
  (error as DimensionsNotHonouredError).reportedUsage = { inputTokens: 5, outputTokens: 0 } as never;
  expect(fromThrown(error, state, true)).toMatchObject({
    kind: "permanent",
    error: { kind: "invalid_value", param: "dimensions" },
    reason: "unsupported_parameter:dimensions",
    refusedAnswer: { reportedUsage: { inputTokens: 5, outputTokens: 0 } },
  });
});

test("several lengths, with or without dimensions, stay a transient invalid response", () => {
  for (const dimensions of [8, 3, undefined]) {
    const error = thrownBy(() => checkVectorLengths([8, 3], dimensions));
    expect(error).not.toBeInstanceOf(DimensionsNotHonouredError);
    expect(fromThrown(error, state, true)).toMatchObject({ kind: "transient", error: { kind: "upstream_invalid_response" }, reason: "invalid_response" });
  }
  expect(thrownBy(() => checkVectorLengths([8, 8], 8))).toBeNull();
  expect(thrownBy(() => checkVectorLengths([8, 8], undefined))).toBeNull();
});
