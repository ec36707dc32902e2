// `npm start`'s first step: builds the web app and the server when there is no build yet or the
// sources are newer than it, so that a fresh clone needs no step but `npm ci && npm start`. An
// installation without the development dependencies (`npm ci --omit=dev`) runs the build it was
// given, and is told plainly when that build is missing or stale.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { isFresh, root, serverSources, webSources } from "./build-freshness.mjs";

const webFresh = isFresh("dist/web/index.html", webSources());
const serverFresh = isFresh("dist/server/liaison.js", serverSources());
if (webFresh && serverFresh) process.exit(0);

const vite = path.join(root, "node_modules/vite/bin/vite.js");
if (!fs.existsSync(vite) || !fs.existsSync(path.join(root, "node_modules/esbuild"))) {
  console.error(
    `The ${webFresh ? "server's" : "web app's"} build is missing or older than its sources, and the build tools are not installed.\n` +
      "Build with `npm ci && npm run build` first, then install for production with `npm ci --omit=dev`.\n" +
      "构建缺失或已过期，且未安装构建工具：请先运行 `npm ci && npm run build`，再以 `npm ci --omit=dev` 安装生产依赖。",
  );
  process.exit(1);
}

// Two test files (or two starts) may ask at once: one builds, the other waits for it.
const lock = path.join(root, "dist/.building");
fs.mkdirSync(path.dirname(lock), { recursive: true });
try {
  fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
} catch {
  const started = Date.now();
  while (fs.existsSync(lock) && Date.now() - started < 120_000) await new Promise((r) => setTimeout(r, 200));
  if (isFresh("dist/web/index.html", webSources()) && isFresh("dist/server/liaison.js", serverSources())) process.exit(0);
  fs.rmSync(lock, { force: true });
}
process.on("exit", () => fs.rmSync(lock, { force: true }));
if (!webFresh) {
  console.log("Building the web app (a few seconds)…");
  // Always a production build: run from the test runner, NODE_ENV=test would give React's
  // development build (bigger, slower, and not what users get).
  execFileSync(process.execPath, [vite, "build", "--logLevel", "warn"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
}
if (!serverFresh) execFileSync(process.execPath, [path.join(root, "scripts/build-server.mjs")], { cwd: root, stdio: "inherit" });
