import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServerDatabase, openTestDatabase, testEngine } from "../../../test/support/database.ts";
import { actorInFreshUnit, administrator } from "../../../test/support/factories.ts";
import { type Database, openDatabase } from "../../db/connection.ts";
import { credentialProbeChannel, followCredentialNotices, followCredentialNoticesOnPool } from "../../db/credential-notices.ts";
import { db, useDatabase } from "../../db/current.ts";
import { migrateToLatest } from "../../db/migrate.ts";
import type { Actor, RoleGrant } from "../shared/actor.ts";
import { updateUser } from "../units/service.ts";
import { credentialEpoch, credentialNoticesLive, forgetCredentials, setCredentialNoticesLive } from "./credential-cache.ts";
import { hashPassword } from "./passwords.ts";
import { createApiToken, login, logout, resolveApiToken, resolveSession, revokeApiToken } from "./service.ts";

let database: Database;
let serverUrl: string | undefined;
let dropServer = async () => {};

beforeAll(async () => {
  if (testEngine === "postgres") {
    // A database of its own whose URL the notice feed can connect to.
    const server = await createServerDatabase();
    serverUrl = server.url;
    dropServer = server.drop;
    database = await openDatabase({ databaseUrl: server.url, poolSize: 4 });
    await migrateToLatest(database.db);
    useDatabase(database);
  } else {
    database = await openTestDatabase();
  }
});
afterAll(async () => {
  setCredentialNoticesLive(false);
  await database.close();
  await dropServer();
});

async function editorWithToken() {
  const editor = await actorInFreshUnit("editor");
  const made = await createApiToken(editor, { name: "sync", unitId: editor.unitId, role: "editor" });
  return { editor, made };
}

/** Stands for another process's write, whose notice has not been heard: plain SQL, not through a service. */
const revokeUnheard = (tokenId: number) => sql`UPDATE api_tokens SET revoked_at = now() WHERE id = ${tokenId}`.execute(db());

describe("the callers kept between requests", () => {
  it("are kept only while notices are heard, and forgotten at once on a change this process makes", async () => {
    const admin = await administrator();
    setCredentialNoticesLive(false);
    const unheard = await editorWithToken();
    expect(await resolveApiToken(unheard.made.token)).toBeDefined();
    await revokeUnheard(unheard.made.id);
    // Without the feed nothing is kept: the revocation holds at once.
    expect(await resolveApiToken(unheard.made.token)).toBeUndefined();

    setCredentialNoticesLive(true);
    const { editor, made } = await editorWithToken();
    const first = await resolveApiToken(made.token);
    expect(first?.roles).toEqual([expect.objectContaining({ unitId: editor.unitId, role: "editor" })]);
    // What is kept is frozen: no request can change what the next one gets.
    const kept = (await resolveApiToken(made.token)) as Actor;
    expect(Object.isFrozen(kept) && Object.isFrozen(kept.roles) && Object.isFrozen(kept.roles[0])).toBe(true);
    expect(() => (kept.roles as RoleGrant[]).push({ unitId: admin.unitId, role: "administrator" })).toThrow(TypeError);
    expect((await resolveApiToken(made.token))?.roles).toHaveLength(1);
    // A change not heard of yet leaves the token kept (this is what the notice is for) …
    await revokeUnheard(made.id);
    expect(await resolveApiToken(made.token)).toBeDefined();
    // … and the notice forgets it.
    forgetCredentials();
    expect(await resolveApiToken(made.token)).toBeUndefined();

    // Through the services, this process's own changes hold for its next request.
    const other = await editorWithToken();
    expect((await resolveApiToken(other.made.token))?.roles[0]?.role).toBe("editor");
    await updateUser(admin, other.editor.userId, { roles: [{ unitId: other.editor.unitId, role: "viewer" }] });
    expect((await resolveApiToken(other.made.token))?.roles[0]?.role).toBe("viewer");
    const second = await createApiToken(admin, { name: "second", unitId: admin.unitId, role: "viewer" });
    expect(await resolveApiToken(second.token)).toBeDefined();
    await revokeApiToken(admin, second.id);
    expect(await resolveApiToken(second.token)).toBeUndefined();
    await updateUser(admin, other.editor.userId, { disabled: true });
    expect(await resolveApiToken(other.made.token)).toBeUndefined();
  });

  it("keep a session until it is ended, and end it at once when this process ends it", async () => {
    setCredentialNoticesLive(true);
    const admin = await administrator();
    const { editor } = await editorWithToken();
    const password = "a long passphrase for the cache";
    await db()
      .updateTable("users")
      .set({ passwordHash: await hashPassword(password) })
      .where("id", "=", editor.userId)
      .execute();
    const context = { ip: "127.0.0.9", userAgent: null };
    const signedIn = await login({ username: editor.username, password }, context);
    expect((await resolveSession(signedIn.token))?.actor.userId).toBe(editor.userId);
    await sql`DELETE FROM sessions WHERE user_id = ${editor.userId}`.execute(db());
    expect(await resolveSession(signedIn.token)).toBeDefined();
    forgetCredentials();
    expect(await resolveSession(signedIn.token)).toBeUndefined();

    // Signing out holds at once in this process.
    const out = await login({ username: editor.username, password }, context);
    const kept = await resolveSession(out.token);
    expect(kept).toBeDefined();
    await logout(kept?.actor as Actor, out.token);
    expect(await resolveSession(out.token)).toBeUndefined();

    const again = await login({ username: editor.username, password }, context);
    expect(await resolveSession(again.token)).toBeDefined();
    await updateUser(admin, editor.userId, { disabled: true });
    expect(await resolveSession(again.token)).toBeUndefined();
  });

  it.runIf(testEngine === "postgres")("hear another connection's change from PostgreSQL's notice", async () => {
    setCredentialNoticesLive(false);
    const probe = { send: (payload: string) => sql`SELECT pg_notify(${credentialProbeChannel}, ${payload})`.execute(db()), withinMs: 100 };
    const feed = followCredentialNotices(serverUrl as string, probe, () => {});
    try {
      const start = Date.now();
      while (!credentialNoticesLive() && Date.now() - start < 5000) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(credentialNoticesLive()).toBe(true);
      const { made } = await editorWithToken();
      expect(await resolveApiToken(made.token)).toBeDefined();
      // Another process's revocation: its own connection, no service of this one.
      const elsewhere = new pg.Client({ connectionString: serverUrl });
      await elsewhere.connect();
      await elsewhere.query("UPDATE api_tokens SET revoked_at = now() WHERE id = $1", [made.id]);
      await elsewhere.end();
      let refused = false;
      for (const end = Date.now() + 2000; !refused && Date.now() < end; ) {
        refused = (await resolveApiToken(made.token)) === undefined;
        if (!refused) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(refused).toBe(true);
      // Touching a token's last use is not a change: a kept token stays kept.
      const kept = await editorWithToken();
      expect(await resolveApiToken(kept.made.token)).toBeDefined();
      const before = credentialEpoch();
      await sql`UPDATE api_tokens SET last_used_at = now() WHERE id = ${kept.made.id}`.execute(db());
      await sql`UPDATE sessions SET last_seen_at = now()`.execute(db());
      await sql`UPDATE users SET locale = 'zh-CN', email = NULL`.execute(db());
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(credentialEpoch()).toBe(before);
      // Probes heard every 100 ms keep it live.
      expect(credentialNoticesLive()).toBe(true);
    } finally {
      await feed.stop();
    }
    expect(credentialNoticesLive()).toBe(false);
  });

  it.runIf(testEngine === "postgres")("stop keeping callers when the feed's probe goes unheard", async () => {
    const lines: string[] = [];
    const silent = followCredentialNotices(serverUrl as string, { send: async () => {}, withinMs: 100 }, (line) => lines.push(line));
    try {
      let wasLive = false;
      let lostAfter = false;
      for (const end = Date.now() + 3000; !lostAfter && Date.now() < end; ) {
        wasLive ||= credentialNoticesLive();
        lostAfter = wasLive && !credentialNoticesLive();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect([wasLive, lostAfter]).toEqual([true, true]);
      expect(lines.join("\n")).toMatch(/went unheard/);
    } finally {
      await silent.stop();
    }
  });

  it.runIf(testEngine === "pglite")("hear, on the embedded engine, any statement's change before that statement returns", async () => {
    setCredentialNoticesLive(false);
    const feed = await followCredentialNoticesOnPool(database.pool);
    try {
      for (const end = Date.now() + 5000; !credentialNoticesLive() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 5));
      expect(credentialNoticesLive()).toBe(true);
      const { made } = await editorWithToken();
      expect(await resolveApiToken(made.token)).toBeDefined();
      // Kept: asking again forgets nothing, nor does touching its last use.
      const before = credentialEpoch();
      expect(await resolveApiToken(made.token)).toBeDefined();
      await sql`UPDATE api_tokens SET last_used_at = now() WHERE id = ${made.id}`.execute(db());
      // A user's own settings (language, e-mail) say nothing either; their clearance does.
      await sql`UPDATE users SET locale = 'en', email_notifications = false, updated_at = now()`.execute(db());
      expect(credentialEpoch()).toBe(before);
      await sql`UPDATE users SET clearance = clearance WHERE false`.execute(db());
      expect(credentialEpoch()).toBeGreaterThan(before);
      expect(await resolveApiToken(made.token)).toBeDefined();
      // Plain SQL, no service: refused on the very next lookup.
      await revokeUnheard(made.id);
      expect(await resolveApiToken(made.token)).toBeUndefined();
      // A change rolled back says nothing.
      const kept = await editorWithToken();
      expect(await resolveApiToken(kept.made.token)).toBeDefined();
      const unchanged = credentialEpoch();
      await db()
        .transaction()
        .execute(async (trx) => {
          await sql`UPDATE api_tokens SET revoked_at = now() WHERE id = ${kept.made.id}`.execute(trx);
          throw new Error("rolled back");
        })
        .catch(() => {});
      expect(credentialEpoch()).toBe(unchanged);
      expect(await resolveApiToken(kept.made.token)).toBeDefined();
    } finally {
      await feed.stop();
    }
  });
});
