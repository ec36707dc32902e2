// Compiles the server and the `liaison` command into dist/server/liaison.js: one ES module,
// its packages left as imports of node_modules, so `npm start` runs JavaScript with no loader.
// Types are checked by `npm run typecheck`; this only strips and bundles (about a second).
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");
const outDir = path.join(root, "dist/server");
const started = performance.now();
// Written beside the final place, then renamed into it: a start never reads half a file.
const staging = `${outDir}.partial-${process.pid}`;
fs.rmSync(staging, { recursive: true, force: true });
await build({
  entryPoints: [path.join(root, "src/cli/main.ts")],
  outfile: path.join(staging, "liaison.js"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20.19",
  packages: "external",
  sourcemap: "linked",
  // Stack traces in the server's log point into the sources.
  sourcesContent: false,
  legalComments: "none",
  logLevel: "warning",
});
// The embedded engine's worker thread is its own file, loaded by URL next to the module.
fs.copyFileSync(path.join(root, "src/db/pglite-worker.mjs"), path.join(staging, "pglite-worker.mjs"));
// File by file, each rename atomic: a server starting meanwhile loads either build, never neither.
fs.mkdirSync(outDir, { recursive: true });
for (const file of ["liaison.js.map", "pglite-worker.mjs", "liaison.js"]) fs.renameSync(path.join(staging, file), path.join(outDir, file));
fs.rmSync(staging, { recursive: true, force: true });
const size = fs.statSync(path.join(outDir, "liaison.js")).size;
console.log(
  `Compiled the server: dist/server/liaison.js, ${Math.round(size / 1024)} KB, in ${Math.round(performance.now() - started)} ms.`,
);
