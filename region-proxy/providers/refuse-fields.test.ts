/**
 * refuseFields makes one pass over the body's keys: the first set table field in body order is the
 * one named, a table field sent as null is reported (for the caller to leave out), a body without
 * any passes untouched.
 */
import { describe, expect, test } from "bun:test";
import { refuseFields, refusedFields } from "./refuse-fields.ts";
import { UnsupportedParameterError } from "./unsupported-parameter.ts";

const table = refusedFields([
  ["models", "no models"],
  ["route", "no route"],
]);

const refusal = (raw: Record<string, unknown>) => {
  try {
    refuseFields(raw, table);
    return null;
  } catch (e) {
    return e instanceof UnsupportedParameterError ? e.param : e;
  }
};

describe("refuseFields", () => {
  test("names the first set field in body order", () => {
    expect(refusal({ model: "m", route: "fallback", models: ["x"] })).toBe("route");
    expect(refusal({ model: "m", models: ["x"], route: "fallback" })).toBe("models");
    expect(refusal({ model: "m", route: null, models: [] })).toBe("models");
  });

  test("a table field sent as null passes and is reported; a body without any is not", () => {
    expect(refuseFields({ model: "m", route: null }, table)).toBe(true);
    expect(refuseFields({ model: "m", messages: [] }, table)).toBe(false);
  });

  test("keys Object.prototype has are no table fields", () => {
    expect(refuseFields({ constructor: "x", toString: "y", hasOwnProperty: "z" }, table)).toBe(false);
  });
});
