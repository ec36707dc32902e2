import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { freePort } from "../test/support/ports.ts";

export { freePort };

/** Runs one statement on the PostgreSQL server at `serverUrl`, on a connection of its own. */
async function onServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * A new, empty database on the PostgreSQL server at `serverUrl`, named `<prefix>_<time>`: its URL,
 * and how to drop it again.
 */
export async function createDatabase(serverUrl: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${Date.now()}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * Runs `work` with a PostgreSQL server's URL when the engines include PostgreSQL: BENCH_DATABASE_URL
 * when set, otherwise a private cluster started for it (scripts/pg-cluster.sh) and stopped after.
 */
export async function withPostgresServer<T>(engines: string[], work: (serverUrl: string | undefined) => Promise<T>): Promise<T> {
  const given = process.env.BENCH_DATABASE_URL;
  if (!engines.includes("postgres") || given) return work(given);
  const script = path.resolve(import.meta.dirname, "../scripts/pg-cluster.sh");
  const clusterDir = fs.mkdtempSync("/tmp/liaison-bench-pg.");
  const port = await freePort();
  const serverUrl = execFileSync("bash", [script, "start", clusterDir, String(port)], { encoding: "utf8" }).trim();
  console.log(`Started a private PostgreSQL cluster at ${serverUrl}`);
  try {
    return await work(serverUrl);
  } finally {
    execFileSync("bash", [script, "stop", clusterDir]);
    fs.rmSync(clusterDir, { recursive: true, force: true });
  }
}
