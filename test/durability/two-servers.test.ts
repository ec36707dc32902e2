/**
 * Scale-out on PostgreSQL: two Liaison processes on one database, started at the same moment,
 * serve the same users. A session made on one is good on the other and ended on both at once; a
 * token revoked on one is refused by the other as soon as the database's notice reaches it, though
 * each keeps the callers it has seen; a client's writes are counted
 * together. (The embedded engine is one process by design: a second is refused, see crash.test.ts.)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createServerDatabase, testEngine } from "../support/database.ts";
import { type ServerProcess, signIn, startServerProcess } from "../support/server.ts";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-two-servers-"));
const password = "a long passphrase for two servers";
const servers: ServerProcess[] = [];
const drops: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const server of servers) await server.stop();
  for (const drop of drops) await drop();
  fs.rmSync(work, { recursive: true, force: true });
});

/** Whether a request is refused (401) within two seconds of asking again; the notice usually arrives before the first. */
async function refusedWithin(request: () => Promise<Response>): Promise<boolean> {
  const end = Date.now() + 2000;
  while (Date.now() < end) {
    if ((await request()).status === 401) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

describe.runIf(testEngine === "postgres")("two servers on one PostgreSQL database", () => {
  it("share sessions, tokens and the write limit, and start together on a new database", async () => {
    const database = await createServerDatabase();
    drops.push(database.drop);
    const env = {
      DATABASE_URL: database.url,
      LIAISON_ADMIN_PASSWORD: password,
      LIAISON_SKIP_REFERENCE: "1",
      LIAISON_WRITE_RATE_LIMIT: "10",
      LIAISON_DB_POOL_SIZE: "4",
    };
    // Both at once on an empty database: one applies the migrations, the other waits for them.
    const [a, b] = await Promise.all([
      startServerProcess({ ...env, LIAISON_DATA_DIR: path.join(work, "a") }),
      startServerProcess({ ...env, LIAISON_DATA_DIR: path.join(work, "b") }),
    ]);
    servers.push(a, b);
    expect(`${a.output()}\n${b.output()}`.match(/Applied migrations/g)).toHaveLength(1);

    // A session made on A is good on B, for reading and (with its CSRF token) for writing.
    const onA = await signIn(a.url, "admin", password);
    const login = await fetch(`${a.url}api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password }),
    });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const onB = (method: string, url: string, body?: unknown) =>
      fetch(`${b.url}${url.replace(/^\//, "")}`, {
        method,
        headers: { cookie, "x-csrf-token": csrfToken, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    expect((await onB("GET", "/api/auth/session")).status).toBe(200);
    expect((await onB("POST", "/api/tags", { key: "from-b", nameEn: "From B", nameZh: "乙" })).status).toBe(201);
    expect(((await (await onA("GET", "/api/tags")).json()) as Array<{ key: string }>).map((t) => t.key)).toContain("from-b");

    // A token made on A works on both, and each keeps it; revoked on B, it is refused on B at
    // once and on A as soon as the database's notice reaches it (a moment: it is sent at commit).
    const token = async (name: string, role: string) =>
      (await (await onA("POST", "/api/auth/tokens", { name, unitId: 1, role })).json()) as { id: number; token: string };
    const made = await token("sync", "viewer");
    const withToken = (server: ServerProcess) => fetch(`${server.url}api/tags`, { headers: { authorization: `Bearer ${made.token}` } });
    expect((await withToken(b)).status).toBe(200);
    expect((await withToken(a)).status).toBe(200);
    expect((await onB("DELETE", `/api/auth/tokens/${made.id}`)).status).toBe(204);
    expect((await withToken(b)).status).toBe(401);
    expect(await refusedWithin(() => withToken(a))).toBe(true);

    // Signing out on B ends the session on B at once, and on A with the notice.
    const writer = await token("writer", "editor");
    expect((await fetch(`${a.url}api/auth/session`, { headers: { cookie } })).status).toBe(200);
    expect((await onB("POST", "/api/auth/logout", {})).status).toBeLessThan(300);
    expect((await onB("GET", "/api/auth/session")).status).toBe(401);
    expect(await refusedWithin(() => fetch(`${a.url}api/auth/session`, { headers: { cookie } }))).toBe(true);

    // The write limit (10 a minute) is the client's across both servers. Seven writes are made
    // already: two sign-ins, the tag, two tokens, the revocation and the sign-out.
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const server = i % 2 === 0 ? a : b;
      const answer = await fetch(`${server.url}api/tags`, {
        method: "POST",
        headers: { authorization: `Bearer ${writer.token}`, "content-type": "application/json" },
        body: JSON.stringify({ key: `shared-${i}`, nameEn: `Shared ${i}`, nameZh: "共" }),
      });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429, 429]);
  }, 300_000);
});
