/**
 * The circuit a deployment's calls count against: its id and what it calls (provider, baseUrl, model,
 * credentialRef). A routing change that repoints a deployment keeps its id (deployment.update), and
 * the open circuit the old endpoint earned says nothing of the new one: the new endpoint starts closed,
 * a late failure of a call still running against the old one lands on the old circuit, and pointed
 * back, the old endpoint finds its own circuit as it left it (until that state expires).
 *
 * @example circuitKey(dep) // "dep_abc#1x9k3…"; deploymentIdOf("dep_abc#1x9k3…") === "dep_abc"
 */
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";

/** A snapshot's deployment objects live as long as it is served: each key is made once. */
const keys = new WeakMap<SnapshotDeployment, string>();

export function circuitKey(dep: SnapshotDeployment): string {
  let key = keys.get(dep);
  if (key === undefined) {
    key = `${dep.id}#${Bun.hash(`${dep.provider}\n${dep.baseUrl}\n${dep.model}\n${dep.credentialRef}`).toString(36)}`;
    keys.set(dep, key);
  }
  return key;
}

/** The deployment id a circuit key was made for (a plain id is its own). */
export function deploymentIdOf(circuit: string): string {
  const hash = circuit.lastIndexOf("#");
  return hash < 0 ? circuit : circuit.slice(0, hash);
}
