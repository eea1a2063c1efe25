import { expect, test } from "bun:test";
import { claudeVersion, takesPrefill, takesTemperatureWithTopP, takesThinking, thinksAdaptivelyOnly } from "./claude-generation.ts";

test("both id forms, dated, aliased and cloud ids read as their version", () => {
  const cases: [string, [number, number] | null][] = [
    ["claude-opus-4-6", [4, 6]],
    ["claude-sonnet-4-5-20250929", [4, 5]],
    ["claude-3-5-sonnet-latest", [3, 5]],
    ["claude-3-5-sonnet-20241022", [3, 5]],
    ["claude-3-7-sonnet-20250219", [3, 7]],
    ["claude-3-opus-20240229", [3, 0]],
    ["claude-opus-4-1", [4, 1]],
    ["claude-opus-4-1-20250805", [4, 1]],
    ["claude-opus-4-20250514", [4, 0]],
    ["claude-haiku-4-5", [4, 5]],
    ["claude-2.1", [2, 1]],
    ["anthropic.claude-3-5-haiku-20241022-v1:0", [3, 5]],
    ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", [4, 5]],
    ["claude-sonnet-4-5@20250929", [4, 5]],
    ["claude-fable-5", [5, 0]],
    ["claude-sonnet-latest", null],
    ["claude-fake", null],
    ["my-claude-3-tune", null],
  ];
  for (const [model, want] of cases) expect([model, claudeVersion(model)]).toEqual([model, want ? { major: want[0], minor: want[1] } : null]);
});

test("temperature with top_p: taken before 4.1, refused from 4.1 and by ids naming no version", () => {
  for (const model of ["claude-3-5-sonnet-latest", "claude-3-7-sonnet-20250219", "claude-sonnet-4-20250514", "claude-opus-4-20250514"]) expect([model, takesTemperatureWithTopP(model)]).toEqual([model, true]);
  for (const model of ["claude-opus-4-1", "claude-sonnet-4-5-20250929", "claude-haiku-4-5", "claude-opus-4-6", "claude-opus-5", "claude-next"]) expect([model, takesTemperatureWithTopP(model)]).toEqual([model, false]);
});

test("prefill: taken before 4.6, refused from 4.6 and by ids naming no version", () => {
  for (const model of ["claude-3-5-sonnet-latest", "claude-opus-4-1", "claude-sonnet-4-5-20250929", "claude-haiku-4-5"]) expect([model, takesPrefill(model)]).toEqual([model, true]);
  for (const model of ["claude-opus-4-6", "claude-sonnet-4-6", "claude-opus-4-7", "claude-sonnet-5", "claude-next"]) expect([model, takesPrefill(model)]).toEqual([model, false]);
});

test("Claude 3.7 Sonnet, the Claude 4 models and later think; Claude 3.5 and before do not", () => {
  for (const model of ["claude-3-7-sonnet-20250219", "claude-sonnet-4-20250514", "claude-opus-4-1", "claude-haiku-4-5", "claude-opus-4-6", "claude-sonnet-latest", "anthropic.claude-3-7-sonnet-20250219-v1:0"]) {
    expect([model, takesThinking(model)]).toEqual([model, true]);
  }
  for (const model of ["claude-3-5-sonnet-latest", "claude-3-5-haiku-20241022", "claude-3-opus-20240229", "claude-3-haiku-20240307"]) {
    expect([model, takesThinking(model)]).toEqual([model, false]);
  }
});

test("Opus 4.7, the Claude 5 models and ids naming no version think only adaptively; 4.6 and before take a budget", () => {
  for (const model of ["claude-opus-4-7", "claude-opus-5", "anthropic.claude-opus-4-7", "claude-sonnet-latest"]) expect([model, thinksAdaptivelyOnly(model)]).toEqual([model, true]);
  for (const model of ["claude-opus-4-6", "claude-sonnet-4-6", "claude-sonnet-4-5-20250929", "claude-3-7-sonnet-20250219"]) expect([model, thinksAdaptivelyOnly(model)]).toEqual([model, false]);
});
