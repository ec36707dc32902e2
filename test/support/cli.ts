import { spawn } from "node:child_process";
import path from "node:path";

const repo = path.resolve(import.meta.dirname, "../..");

/** Runs the CLI in a child process and collects its output. */
export function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repo, "bin/liaison.js"), ...args], { env: { ...process.env, ...env }, cwd: repo });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}
