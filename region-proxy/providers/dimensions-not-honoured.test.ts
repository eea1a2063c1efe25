/**
 * Vectors of one length other than the `dimensions` asked are this deployment's answer to the request's
 * parameter (an unusable answer: billed, the deployment answered, the next deployment tried; a 400
 * naming dimensions when none gives the size: the walks are in dimensions-walk-end.test.ts); vectors
 * of several lengths, with or without `dimensions`, stay the deployment breaking its protocol (transient, 502).
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

test("one length other than the dimensions asked: an unusable answer, a 400 naming dimensions, the billed usage kept", () => {
  const error = thrownBy(() => checkVectorLengths([8, 8], 4000));
  expect(error).toBeInstanceOf(DimensionsNotHonouredError);
  (error as DimensionsNotHonouredError).reportedUsage = { inputTokens: 5, outputTokens: 0 } as never;
  expect(fromThrown(error, state, true)).toMatchObject({
    kind: "unusable_answer",
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
