// Whether a build is at least as new as the sources it is made from. Shared by the `liaison`
// command (which runs the compiled server when it is) and by `npm start`'s build step.
import fs from "node:fs";
import path from "node:path";

export const root = path.resolve(import.meta.dirname, "..");

/** The newest modification time of the files under these folders (0 when none exist). */
export function newestSource(dirs, skip = () => false) {
  let latest = 0;
  const walk = (dir) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (skip(full)) continue;
      if (entry.isDirectory()) walk(full);
      else latest = Math.max(latest, fs.statSync(full).mtimeMs);
    }
  };
  for (const dir of dirs) walk(path.join(root, dir));
  return latest;
}

/** The server's sources: everything under src/ but the web app and the tests. */
export const serverSources = () => newestSource(["src"], (full) => full === path.join(root, "src/web") || full.endsWith(".test.ts"));
/** The web app's sources (it also imports from src/core). */
export const webSources = () =>
  Math.max(
    newestSource(["src/web"]),
    newestSource(["src/core"], (full) => full.endsWith(".test.ts")),
  );

/** True when `built` exists and is no older than `sources` (a time from newestSource). */
export function isFresh(built, sources) {
  try {
    return fs.statSync(path.join(root, built)).mtimeMs >= sources;
  } catch {
    return false;
  }
}
