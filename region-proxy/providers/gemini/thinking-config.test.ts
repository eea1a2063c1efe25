/**
 * reasoning_effort on Gemini: a value named like an Object.prototype member is refused naming the field,
 * as any value the model does not take (it found the prototype's function and went out as
 * `thinkingConfig: {}`, a 200 at the default thinking; `__proto__` cost a vendor call for Gemini's 400).
 * Review sec's finding 1.
 */
import { expect, test } from "bun:test";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { thinkingConfig } from "./thinking-config.ts";

const refusedParam = (effort: string, model: string) => {
  try {
    thinkingConfig(effort, model);
    return null;
  } catch (error) {
    return error instanceof UnsupportedParameterError ? error.param : String(error);
  }
};

for (const model of ["gemini-2.5-flash", "gemini-2.5-pro", "gemini-exp", "gemini-3-pro-preview"]) {
  test(`${model}: Object.prototype member names are refused naming reasoning_effort`, () => {
    for (const effort of ["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__", "xhigh"]) expect([effort, refusedParam(effort, model)]).toEqual([effort, "reasoning_effort"]);
  });
}

test("the values a model takes still map", () => {
  expect(thinkingConfig("low", "gemini-2.5-flash")).toEqual({ thinkingBudget: 1024 });
  expect(thinkingConfig("none", "gemini-2.5-flash")).toEqual({ thinkingBudget: 0 });
  expect(thinkingConfig("high", "gemini-3-pro-preview")).toEqual({ thinkingLevel: "HIGH" });
});
