// Patches the installed postgres.js 3.4.9 (the latest release) for a connection closed under a
// transaction (pg_terminate_backend, a failover, a pooler or proxy dropping it). Unpatched, the
// transaction's rollback is still written to that connection, nextWrite() runs from a setImmediate
// on the nulled socket, and "TypeError: null is not an object (evaluating 'socket.write')" escapes
// every try/catch: the process exits (porsager/postgres#1066, #1154, #1208; PRs #1168, #1176, #1209).
// Edits, in each copy of src/connection.js (ESM, which Bun and `import` load; cjs; cf):
//   - execute() on a connection without a socket rejects the query with CONNECTION_CLOSED and writes
//     nothing, leaving the connection in the pool's closed queue, where the pool connects it again (a
//     connection a reservation handed back after it closed goes back there too);
//   - nextWrite() without a socket drops the bytes and rejects the pending queries with
//     CONNECTION_CLOSED (as PR #1209: returning alone leaves them awaiting for ever);
//   - closed() also rejects the queries sent between a socket error and the close (unpatched, after
//     an ECONNRESET they awaited for ever), then forgets the write it cancelled, the rejected query
//     and its error response, so the connection's next session neither starts with the dead one's
//     bytes nor hands its first query the old error ("terminating connection due to administrator
//     command"); terminate() forgets the cancelled write too.
//
// Run by npm's postinstall (`npm ci`, `npm install`) from the repository root; idempotent. A copy
// whose code is neither the expected original nor already patched (a driver upgrade) fails the
// install with exit 1, so the patch is reviewed again, not silently skipped.
//
// Usage: node infra/patches/postgres-closed-connection.mjs [path/to/node_modules/postgres]
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const MARK = "// llm-gateway: infra/patches/postgres-closed-connection.mjs";

const CLOSED = "Errors.connection('CONNECTION_CLOSED', options)";

export const EDITS = [
  {
    name: "execute refuses a closed connection",
    from: `    if (terminated)
      return queryError(q, Errors.connection('CONNECTION_DESTROYED', options))
`,
    to: `    if (terminated)
      return queryError(q, Errors.connection('CONNECTION_DESTROYED', options))

    if (socket === null && !initial) { ${MARK}
      queryError(q, ${CLOSED})
      const closedNow = () => socket === null && !initial && connection.queue !== queues.closed
      closedNow() && queueMicrotask(() => closedNow() && onclose(connection, ${CLOSED}))
      return true
    }
`,
  },
  {
    name: "nextWrite settles instead of writing to no socket",
    from: `  function nextWrite(fn) {
    const x = socket.write(chunk, fn)
`,
    to: `  function nextWrite(fn) {
    if (socket === null) { ${MARK}
      nextWriteTimer !== null && clearImmediate(nextWriteTimer)
      chunk = nextWriteTimer = null
      error(${CLOSED})
      return false
    }
    const x = socket.write(chunk, fn)
`,
  },
  {
    name: "terminate forgets the cancelled write",
    from: `    clearImmediate(nextWriteTimer)
    if (socket) {
`,
    to: `    clearImmediate(nextWriteTimer)
    chunk = nextWriteTimer = null ${MARK}
    if (socket) {
`,
  },
  {
    name: "closed forgets the cancelled write",
    from: `    clearImmediate(nextWriteTimer)
    socket.removeListener('data', data)
`,
    to: `    clearImmediate(nextWriteTimer)
    chunk = nextWriteTimer = null ${MARK}
    socket.removeListener('data', data)
`,
  },
  {
    name: "closed rejects every query left and forgets them",
    from: `    !hadError && (query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))
`,
    to: `    ;(query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket)) ${MARK}
    query = results = errorResponse = null
    result = new Result()
`,
  },
];

/** The copies of connection.js in the package: the ESM one must exist, the others are patched when present. */
export const COPIES = ["src/connection.js", "cjs/src/connection.js", "cf/src/connection.js"];

const count = (text, part) => text.split(part).length - 1;

/** Applies the edits to one file's text; answers the new text and the edits made, or throws. */
export function patchSource(text, file) {
  const made = [];
  for (const edit of EDITS) {
    if (count(text, edit.to) === 1) continue;
    if (count(text, edit.from) !== 1)
      throw new Error(`${file}: "${edit.name}": neither the postgres.js 3.4.9 code this patch expects (found ${count(text, edit.from)} times) nor the patched code is there; the driver changed: check whether it still needs ${fileURLToPath(import.meta.url)}`);
    text = text.replace(edit.from, edit.to);
    made.push(edit.name);
  }
  return { text, made };
}

/** Patches every copy under `packageDir` (none, if one cannot be); answers one line per file. */
export function patchPackage(packageDir) {
  if (!existsSync(join(packageDir, COPIES[0]))) throw new Error(`${join(packageDir, COPIES[0])} not found: is postgres installed?`);
  const patched = COPIES.map((copy) => join(packageDir, copy))
    .filter((file) => existsSync(file))
    .map((file) => ({ file, before: readFileSync(file, "utf8") }))
    .map(({ file, before }) => ({ file, before, ...patchSource(before, file) }));
  return patched.map(({ file, before, text, made }) => {
    if (text !== before) writeFileSync(file, text);
    return `${file.slice(packageDir.length + 1)}: ${made.length ? `patched (${made.join("; ")})` : "already patched"}`;
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const packageDir = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..", "..", "node_modules", "postgres"));
  try {
    for (const line of patchPackage(packageDir)) console.log(`postgres-closed-connection: ${line}`);
  } catch (error) {
    console.error(`postgres-closed-connection: ${error.message}`);
    process.exit(1);
  }
}
