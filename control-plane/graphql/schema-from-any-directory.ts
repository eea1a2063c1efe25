/**
 * The control plane's schema, built whatever the working directory. The resolver and type classes use
 * TypeScript's legacy decorators with their metadata (experimentalDecorators, emitDecoratorMetadata),
 * and Bun takes those two from `$cwd/tsconfig.json` only: not from a tsconfig.json beside the file, not
 * from the one a `process.chdir()` leads to (the setting is read once, at launch). Run by absolute path
 * from elsewhere (systemd's default /, a Kubernetes workingDir, a script that cd's), they compiled as
 * standard decorators and the start died at import with a bare `TypeError:` from reflect-metadata.
 *
 * So the decorated modules are imported only from here, once a Bun plugin compiles the repository's
 * decorated files with the repository's tsconfig.json (Bun.Transpiler) when the working directory is
 * not the repository. Nothing else on the control plane's import graph (main.ts, the launcher) may import
 * them statically: they would be compiled before this runs (test/e2e/started-from-another-directory).
 */
import { realpathSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { GraphQLSchema } from "graphql";

const REPOSITORY = realpathSync(join(import.meta.dir, "../.."));
/** A decorator at the start of a line (class, field, method) or on a parameter; files without one compile as Bun compiles them. */
const DECORATED = /^\s*@[A-Za-z_$]|[(,]\s*@[A-Za-z_$]/m;

let pluginRegistered = false;

export async function buildSchemaFromAnyDirectory(): Promise<GraphQLSchema> {
  compileDecoratorsAsTheRepository();
  const { buildControlPlaneSchema } = await import("./build-schema.ts");
  return buildControlPlaneSchema();
}

/** Registers (once, and only outside the repository, where Bun would not read its tsconfig.json) the plugin compiling decorated files. */
function compileDecoratorsAsTheRepository(): void {
  if (pluginRegistered || realpathSync(process.cwd()) === REPOSITORY) return;
  pluginRegistered = true;
  const transpiler = new Bun.Transpiler({ loader: "ts", tsconfig: readFileSync(join(REPOSITORY, "tsconfig.json"), "utf8") });
  const ownTypeScript = new RegExp(`^${REPOSITORY.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/(?!node_modules/)[^]*\\.ts$`);
  Bun.plugin({
    name: "the repository's decorator settings, whatever the working directory",
    setup(build) {
      build.onLoad({ filter: ownTypeScript }, ({ path }) => {
        const source = readFileSync(path, "utf8");
        return DECORATED.test(source) ? { contents: transpiler.transformSync(source), loader: "js" } : { contents: source, loader: "ts" };
      });
    },
  });
}
