import fs from "node:fs";
import path from "node:path";

/**
 * The installation's root: the folder of Liaison's package.json, found by walking up from this
 * module, so that the same answer comes from the TypeScript sources (src/) and from the compiled
 * server (dist/server/liaison.js, one file).
 */
export const installRoot: string = findInstallRoot(import.meta.dirname);

function findInstallRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`Liaison's package.json was not found above ${start}.`);
  }
}

/** The bundled reference data (data/ in the installation). */
export const bundledDataDir = path.join(installRoot, "data");

/** Liaison's version, from its package.json. */
export const appVersion: string = (JSON.parse(fs.readFileSync(path.join(installRoot, "package.json"), "utf8")) as { version: string })
  .version;
