import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const repo = path.resolve(import.meta.dirname, "../..");

/** A Liaison server in a child process, as an office runs it (`liaison serve`). */
export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** Ends it at once, as a power cut or the OOM killer would. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** How to run a process: its folder, its whole environment, and whether it leads a process group of its own. */
export interface ProcessOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** A group of its own (`npm start` runs the server as its child): stop and kill then end the whole group. */
  group?: boolean;
}

/** A command in a child process, its output (standard output and error) collected as it comes. */
export function spawnProcess(command: string, args: string[], options: ProcessOptions) {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: options.group === true });
  let output = "";
  child.stdout.on("data", (d) => {
    output += d;
  });
  child.stderr.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** `liaison serve` in a child process with this environment, its output collected as it comes. */
export function spawnServer(env: Record<string, string>) {
  return spawnProcess(process.execPath, [path.join(repo, "bin/liaison.js"), "serve"], {
    env: { ...process.env, PORT: "0", LIAISON_DEMO: "0", ...env },
    cwd: repo,
  });
}

/**
 * Starts `liaison serve` with this environment and waits until it says where it listens;
 * rejects with its output when it exits first.
 */
export function startServerProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<ServerProcess> {
  return untilListening(spawnServer(env), timeoutMs, false);
}

/**
 * Starts any command that runs Liaison's server (the compiled module, `npm start`) and waits
 * until it says where it listens; rejects with its output when it exits first.
 */
export function startProcess(command: string, args: string[], options: ProcessOptions, timeoutMs = 60_000): Promise<ServerProcess> {
  return untilListening(spawnProcess(command, args, options), timeoutMs, options.group === true);
}

function untilListening(spawned: ReturnType<typeof spawnProcess>, timeoutMs: number, group: boolean): Promise<ServerProcess> {
  const { child, exited, output: outputOf } = spawned;
  const signal = (sig: NodeJS.Signals) => {
    if (group && child.pid !== undefined) process.kill(-child.pid, sig);
    else child.kill(sig);
  };
  const stopWith = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) signal(sig);
    await exited;
    if (!group || child.pid === undefined) return;
    // Until the whole group has gone (the server closes its database after its parent has exited).
    for (let i = 0; i < 200; i++) {
      try {
        process.kill(-child.pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(-child.pid, "SIGKILL");
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal("SIGKILL");
      reject(new Error(`The server did not start in ${timeoutMs} ms:\n${outputOf()}`));
    }, timeoutMs);
    const onData = () => {
      const url = /Liaison is running at (http:\/\/\S+)/.exec(outputOf())?.[1];
      if (!url) return;
      clearTimeout(timer);
      child.stdout.off("data", onData);
      resolve({ child, url, output: outputOf, kill: () => stopWith("SIGKILL"), stop: () => stopWith("SIGTERM") });
    };
    child.stdout.on("data", onData);
    exited.then((code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`The server exited (${code}) before it started:\n${outputOf()}`), { code, output: outputOf() }));
    });
  });
}

/**
 * A small filesystem of its own (a size-limited tmpfs), for tests of a full disk; null where
 * this machine does not allow mounting one (not root, or no mount permission).
 */
export function smallFilesystem(megabytes: number): { dir: string; remove(): void } | null {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-small-disk-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${megabytes}m`, "tmpfs", dir], { stdio: "ignore" });
  } catch {
    fs.rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    remove() {
      try {
        execFileSync("umount", ["-l", dir], { stdio: "ignore" });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Fills a filesystem until `leaveBytes` remain, with one file it returns (delete it to free the space). */
export function fillDisk(dir: string, leaveBytes: number): string {
  const filler = path.join(dir, "filler.bin");
  const stats = fs.statfsSync(dir);
  const toWrite = Math.max(0, stats.bavail * stats.bsize - leaveBytes);
  const fd = fs.openSync(filler, "w");
  const chunk = Buffer.alloc(1024 * 1024, 1);
  try {
    for (let written = 0; written < toWrite; ) {
      const size = Math.min(chunk.length, toWrite - written);
      written += fs.writeSync(fd, chunk, 0, size);
    }
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}

/** A signed-in HTTP client of a running server (cookie and CSRF token kept). */
export async function signIn(base: string, username: string, password: string) {
  const login = await fetch(`${base}api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (login.status !== 200) throw new Error(`Sign-in failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  return (method: string, url: string, body?: unknown) =>
    fetch(`${base}${url.replace(/^\//, "")}`, {
      method,
      headers: { cookie, "x-csrf-token": csrfToken, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
}
