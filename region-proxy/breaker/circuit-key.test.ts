import { describe, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { circuitKey, deploymentIdOf } from "./circuit-key.ts";

const dep: SnapshotDeployment = { id: "dep_a", provider: "openai", baseUrl: "https://api.openai.com/v1", model: "gpt-4o-mini", region: "eu", credentialRef: "env:OPENAI" };

describe("circuitKey", () => {
  test("a deployment unchanged by a new snapshot (another object, the same values) keeps its circuit", () => {
    expect(circuitKey({ ...dep })).toBe(circuitKey(dep));
    // What does not change where the calls go does not change the circuit.
    expect(circuitKey({ ...dep, region: "us", flags: ["baa"], timeouts: { totalMs: 5_000 } })).toBe(circuitKey(dep));
  });

  test("another provider, baseUrl, model or credential is another circuit of the same deployment", () => {
    const changed = [{ provider: "azure" as const }, { baseUrl: "https://eu.example/v1" }, { model: "gpt-4o" }, { credentialRef: "env:OPENAI_2" }].map((change) => circuitKey({ ...dep, ...change }));
    expect(new Set([circuitKey(dep), ...changed]).size).toBe(5);
    for (const key of changed) expect(deploymentIdOf(key)).toBe("dep_a");
  });

  test("deploymentIdOf gives back the id, a plain id included", () => {
    expect(deploymentIdOf(circuitKey(dep))).toBe("dep_a");
    expect(deploymentIdOf(circuitKey({ ...dep, id: "dep_#odd#" }))).toBe("dep_#odd#");
    expect(deploymentIdOf("dep_plain")).toBe("dep_plain");
  });
});
