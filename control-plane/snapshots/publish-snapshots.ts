/** Compiles, signs and stores one snapshot per region at the given version. */
import type { Tx } from "../db/client.ts";
import { signSnapshot, type SigningKey } from "../../shared/snapshot/sign.ts";
import { compileSnapshot } from "./compile-snapshot.ts";
import { loadConfigRows } from "./config-rows.repo.ts";

export async function publishSnapshots(tx: Tx, signingKey: SigningKey, version: number): Promise<void> {
  const regions = await tx<{ name: string }[]>`select name from regions order by name`;
  if (regions.length === 0) return;
  const rows = await loadConfigRows(tx);
  const issuedAt = new Date();
  for (const { name } of regions) {
    const jws = await signSnapshot(compileSnapshot(rows, name, version, issuedAt), signingKey);
    await tx`insert into snapshots (region, version, jws) values (${name}, ${version}, ${jws})
      on conflict (region, version) do update set jws = excluded.jws`;
  }
}
