import { expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { printControlPlaneSchema } from "./graphql/build-schema.ts";

test("the committed schema.graphql matches the schema built from the resolvers", async () => {
  const committed = await readFile(join(import.meta.dir, "schema.graphql"), "utf8");
  // Regenerate with: npx bun -e 'import {printControlPlaneSchema} from "./control-plane/graphql/build-schema.ts"; process.stdout.write(await printControlPlaneSchema())' > control-plane/schema.graphql
  expect(await printControlPlaneSchema()).toBe(committed);
});
