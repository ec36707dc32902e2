// Builds the web app before `npm start` when there is no build yet, or the sources are newer
// than it, so that a fresh clone needs no step but `npm ci && npm start`.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const built = path.join(root, "dist/web/index.html");

function newest(dir) {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
  }
  return latest;
}

const sources = Math.max(newest(path.join(root, "src/web")), newest(path.join(root, "src/core")));
if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= sources) process.exit(0);

// Two test files (or two starts) may ask at once: one builds, the other waits for it.
const lock = path.join(root, "dist/.building");
fs.mkdirSync(path.dirname(lock), { recursive: true });
try {
  fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
} catch {
  const started = Date.now();
  while (fs.existsSync(lock) && Date.now() - started < 120_000) await new Promise((r) => setTimeout(r, 200));
  if (fs.existsSync(built)) process.exit(0);
  fs.rmSync(lock, { force: true });
}
process.on("exit", () => fs.rmSync(lock, { force: true }));
console.log("Building the web app (a few seconds)…");
// Always a production build: run from the test runner, NODE_ENV=test would give React's
// development build (bigger, slower, and not what users get).
execFileSync(process.execPath, [path.join(root, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, NODE_ENV: "production" },
});
