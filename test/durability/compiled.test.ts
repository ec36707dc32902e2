/**
 * The compiled server as an office installs it: `npm run build` makes dist/server/liaison.js,
 * which runs with plain Node (no TypeScript loader), and an installation of the production
 * dependencies alone (`npm ci --omit=dev`, no build tools, no sources) starts from that build
 * with `npm start`.
 */
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { isFresh, serverSources, webSources } from "../../scripts/build-freshness.mjs";
import { createServerDatabase, testEngine } from "../support/database.ts";
import { startProcess } from "../support/server.ts";

const repo = path.resolve(import.meta.dirname, "../..");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-compiled-"));
const drops: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const drop of drops) await drop();
  fs.rmSync(work, { recursive: true, force: true });
});

/** A fresh place for the engine under test. */
async function installationEnv(name: string): Promise<Record<string, string>> {
  const dataDir = path.join(work, `data-${name}`);
  if (testEngine === "postgres") {
    const server = await createServerDatabase();
    drops.push(server.drop);
    return { DATABASE_URL: server.url, LIAISON_DATA_DIR: dataDir };
  }
  return { DATABASE_URL: "", LIAISON_DATA_DIR: dataDir };
}

/**
 * Runs a command that starts the server until it says where it listens, in a process group of its
 * own (`npm start` runs the server as its child) and without NODE_OPTIONS: the test runner's
 * loaders must not reach the server.
 */
function started(command: string, args: string[], cwd: string, env: Record<string, string>) {
  return startProcess(
    command,
    args,
    {
      cwd,
      group: true,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? os.tmpdir(),
        PORT: "0",
        LIAISON_DEMO: "0",
        LIAISON_SKIP_REFERENCE: "1",
        ...env,
      },
    },
    120_000,
  );
}

describe(`the compiled server (${testEngine})`, () => {
  it("is one JavaScript module that plain Node runs, serving the API and the web app", async () => {
    const built = execFileSync(process.execPath, [path.join(repo, "scripts/build-server.mjs")], { cwd: repo, encoding: "utf8" });
    expect(built).toMatch(/Compiled the server: dist\/server\/liaison\.js, \d+ KB/);
    const bundle = fs.readFileSync(path.join(repo, "dist/server/liaison.js"), "utf8");
    // Nothing of our own is left to load as TypeScript: every import is a package or Node's own.
    const imports = [...bundle.matchAll(/(?:from\s*|import\s*\(\s*)"([^"]+)"/g)].map((m) => m[1] as string);
    expect(imports.length).toBeGreaterThan(10);
    expect(imports.filter((specifier) => specifier.startsWith(".") || specifier.endsWith(".ts"))).toEqual([]);
    expect(isFresh("dist/server/liaison.js", serverSources())).toBe(true);

    const server = await started(
      process.execPath,
      [path.join(repo, "dist/server/liaison.js"), "serve"],
      repo,
      await installationEnv("direct"),
    );
    try {
      const health = (await (await fetch(`${server.url}health`)).json()) as { status: string; engine: string };
      expect(health).toMatchObject({ status: "ok", engine: testEngine });
      const login = await fetch(`${server.url}api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: "not the password" }),
      });
      expect(login.status).toBe(401);
      expect(((await login.json()) as { code: string }).code).toBe("UNAUTHENTICATED");
      if (isFresh("dist/web/index.html", webSources())) expect(await (await fetch(server.url)).text()).toContain('<div id="root">');
    } finally {
      await server.stop();
    }
  }, 180_000);

  it("starts with `npm start` from a build where only the production dependencies are installed", async () => {
    if (!isFresh("dist/web/index.html", webSources())) execFileSync("npm", ["run", "build"], { cwd: repo, stdio: "ignore" });
    else execFileSync(process.execPath, [path.join(repo, "scripts/build-server.mjs")], { cwd: repo, stdio: "ignore" });
    // What a release tarball holds: the build, the command, the bundled data, the lock file; no sources.
    const install = path.join(work, "install");
    fs.mkdirSync(install);
    for (const part of ["package.json", "package-lock.json", "bin", "scripts", "data", "dist"]) {
      fs.cpSync(path.join(repo, part), path.join(install, part), { recursive: true, preserveTimestamps: true });
    }
    const npmCi = (offline: boolean) =>
      promisify(execFile)("npm", ["ci", "--omit=dev", "--no-audit", "--no-fund", ...(offline ? ["--offline"] : [])], {
        cwd: install,
        env: { ...process.env, NODE_ENV: "production" },
      });
    // From npm's cache where it holds every package (it does right after the suite's own `npm ci`).
    await npmCi(true).catch(() => npmCi(false));
    for (const devOnly of ["tsx", "vite", "esbuild", "react", "echarts", "vitest"]) {
      expect(fs.existsSync(path.join(install, "node_modules", devOnly)), devOnly).toBe(false);
    }
    const server = await started("npm", ["start", "--silent"], install, await installationEnv("production"));
    try {
      expect(server.output()).not.toMatch(/Building/);
      const health = (await (await fetch(`${server.url}health`)).json()) as { status: string };
      expect(health.status).toBe("ok");
      expect(await (await fetch(server.url)).text()).toContain('<div id="root">');
    } finally {
      await server.stop();
    }
  }, 300_000);
});
