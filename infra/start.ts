/**
 * `npm start`: the whole system on one laptop (local/launcher.ts; the environment it reads is described
 * there). This file only reads the launcher's parent first and then loads the launcher.
 *
 * No static import here: ES imports are evaluated before a module's first statement, and the launcher's
 * (the control plane, the proxies, Apollo, PGlite) take ~170 ms warm, more on a cold machine. A SIGTERM
 * to `npm start` in that time kills npm's `sh -c` only: a launcher that read process.ppid after its
 * imports found init there already, and the parent-gone watch never fired (an orphan on all four ports).
 * Read first, the parent is the sh; gone by then, the launcher is left behind already and does not start.
 * While the modules load, a Ctrl-C or SIGTERM ends it at once (the default), as is right: nothing has
 * started yet.
 */
const startedBy = process.ppid;

const { leftBehindAtStart } = await import("./local/left-behind-at-start.ts");
if (leftBehindAtStart(process.env, startedBy)) {
  const starter = process.env.npm_lifecycle_event === "npx" ? "npx" : "npm";
  console.error(`npm start: ${starter}, which started this launcher, is gone: not starting`);
  process.exit(0);
}
const { launch } = await import("./local/launcher.ts");
await launch(startedBy);

// A module (for the top-level awaits), with nothing imported before the first line above.
export {};
