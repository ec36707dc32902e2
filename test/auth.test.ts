import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAdministratorPassword, setUserPassword } from "../src/core/auth/service.ts";
import type { Actor } from "../src/core/shared/actor.ts";
import type { Database } from "../src/db/connection.ts";
import { db } from "../src/db/current.ts";
import { buildApp } from "../src/server/app.ts";
import { Browser } from "./support/browser.ts";
import { openTestDatabase } from "./support/database.ts";
import { actorInFreshUnit, administrator, unique } from "./support/factories.ts";

let database: Database;
let app: FastifyInstance;
let admin: Actor;
const adminPassword = "a long passphrase for the chief";
const password = "another long passphrase 7";

async function userWithPassword(role: "editor" | "viewer" = "editor"): Promise<Actor> {
  const actor = await actorInFreshUnit(role);
  await setUserPassword(admin, actor.userId, { password });
  return actor;
}

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
  await ensureAdministratorPassword(adminPassword, () => "unused");
  app = await buildApp({ writeRateLimit: 100_000 });
});
afterAll(async () => {
  await app?.close();
  await database.close();
});

describe("sign-in and sessions", () => {
  it("answers 401 without a session, and signs in with an HttpOnly, SameSite=Lax cookie", async () => {
    const browser = new Browser(app);
    expect((await browser.call("GET", "/api/organisations")).statusCode).toBe(401);
    expect((await browser.call("GET", "/health")).statusCode).toBe(200);
    const response = await browser.login("admin", adminPassword);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ user: { username: "admin" }, roles: [{ role: "administrator" }] });
    const setCookie = String(response.headers["set-cookie"]);
    expect(setCookie).toMatch(/liaison_session=[^;]+;.*HttpOnly/);
    expect(setCookie).toContain("SameSite=Lax");
    expect(setCookie).not.toContain("Secure");
    expect((await browser.call("GET", "/api/organisations")).statusCode).toBe(200);
    expect((await browser.call("GET", "/api/auth/session")).json().user.username).toBe("admin");
    const stored = await db().selectFrom("sessions").select("idHash").execute();
    expect(stored.map((s) => s.idHash)).not.toContain(browser.cookies.get("liaison_session"));
  });

  it("marks the cookie Secure behind TLS", async () => {
    const behindProxy = await buildApp({ trustProxy: 1 });
    try {
      const response = await behindProxy.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: { username: "admin", password: adminPassword },
        headers: { "x-forwarded-proto": "https" },
      });
      expect(String(response.headers["set-cookie"])).toContain("Secure");
    } finally {
      await behindProxy.close();
    }
  });

  it("gives a new session id at every sign-in and ends the old one", async () => {
    const user = await userWithPassword();
    const browser = new Browser(app);
    await browser.login(user.username, password);
    const first = browser.cookies.get("liaison_session");
    await browser.login(user.username, password);
    const second = browser.cookies.get("liaison_session");
    expect(second).not.toBe(first);
    const old = new Browser(app);
    old.cookies.set("liaison_session", first as string);
    expect((await old.call("GET", "/api/auth/session")).statusCode).toBe(401);
  });

  it("refuses a change made with the cookie but without the CSRF token, or from another origin", async () => {
    const browser = new Browser(app);
    await browser.login("admin", adminPassword);
    const token = browser.csrf;
    browser.csrf = "";
    const missing = await browser.call("POST", "/api/tags", { key: unique("t"), nameEn: "T", nameZh: "标签" });
    expect(missing.statusCode).toBe(403);
    expect(missing.json().code).toBe("FORBIDDEN");
    browser.csrf = "not-the-token";
    expect((await browser.call("POST", "/api/tags", { key: unique("t"), nameEn: "T", nameZh: "标签" })).statusCode).toBe(403);
    browser.csrf = token;
    expect((await browser.call("POST", "/api/tags", { key: unique("t"), nameEn: "T", nameZh: "标签" })).statusCode).toBe(201);
    const foreign = await browser.call(
      "POST",
      "/api/tags",
      { key: unique("t"), nameEn: "T", nameZh: "标签" },
      { origin: "https://evil.example" },
    );
    expect(foreign.statusCode).toBe(403);
  });

  it("ends sessions on logout, when a user is disabled, and when a password changes", async () => {
    const user = await userWithPassword();
    const a = new Browser(app);
    await a.login(user.username, password);
    expect((await a.call("POST", "/api/auth/logout")).statusCode).toBe(204);
    expect((await a.call("GET", "/api/auth/session")).statusCode).toBe(401);

    const b = new Browser(app);
    const c = new Browser(app);
    await b.login(user.username, password);
    await c.login(user.username, password);
    const changed = await b.call("POST", "/api/auth/password", { currentPassword: password, newPassword: "a brand new passphrase" });
    expect(changed.statusCode).toBe(204);
    expect((await c.call("GET", "/api/auth/session")).statusCode).toBe(401);
    expect((await b.call("GET", "/api/auth/session")).statusCode).toBe(200);
    expect((await new Browser(app).login(user.username, password)).statusCode).toBe(401);

    const adminBrowser = new Browser(app);
    await adminBrowser.login("admin", adminPassword);
    expect((await adminBrowser.call("PATCH", `/api/users/${user.userId}`, { disabled: true })).statusCode).toBe(200);
    expect((await b.call("GET", "/api/auth/session")).statusCode).toBe(401);
    expect((await new Browser(app).login(user.username, "a brand new passphrase")).statusCode).toBe(401);
  });

  it("ends a session after the idle and the absolute timeouts", async () => {
    const user = await userWithPassword();
    const idle = new Browser(app);
    await idle.login(user.username, password);
    await sql`UPDATE sessions SET last_seen_at = now() - interval '121 minutes' WHERE user_id = ${user.userId}`.execute(db());
    expect((await idle.call("GET", "/api/auth/session")).statusCode).toBe(401);
    const old = new Browser(app);
    await old.login(user.username, password);
    await sql`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = ${user.userId}`.execute(db());
    expect((await old.call("GET", "/api/auth/session")).statusCode).toBe(401);
  });

  it("refuses further tries after five failures for an account (429), auditing every failure", async () => {
    const user = await userWithPassword();
    const browser = new Browser(app, { "x-forwarded-for": "198.51.100.7" });
    for (let i = 0; i < 5; i++) expect((await browser.login(user.username, `wrong guess ${i}`)).statusCode).toBe(401);
    const refused = await browser.login(user.username, password);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe("RATE_LIMITED");
    const audited = await db()
      .selectFrom("auditLog")
      .select(["action"])
      .where("entity", "=", "login")
      .where(sql<boolean>`after->>'username' = ${user.username}`)
      .execute();
    expect(audited.filter((a) => a.action === "failure")).toHaveLength(5);
    expect(audited.filter((a) => a.action === "refused")).toHaveLength(1);
    expect(JSON.stringify(audited)).not.toContain("wrong guess");
  });

  it("refuses weak passwords: too short, too long, common, or containing the username", async () => {
    const user = await actorInFreshUnit("viewer");
    for (const weak of ["short", "x".repeat(129), "password1", "qwertyuiop", `my ${user.username} pass`]) {
      await expect(setUserPassword(admin, user.userId, { password: weak })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    }
    const row = await db().selectFrom("users").select("passwordHash").where("id", "=", user.userId).executeTakeFirstOrThrow();
    expect(row.passwordHash).toBeNull();
  });
});

describe("API tokens", () => {
  it("are shown once, stored hashed, limited to their unit and role, and revocable", async () => {
    const editor = await userWithPassword("editor");
    const browser = new Browser(app);
    await browser.login(editor.username, password);
    const tooHigh = await browser.call("POST", "/api/auth/tokens", { name: "x", unitId: editor.unitId, role: "administrator" });
    expect(tooHigh.statusCode).toBe(403);
    const created = await browser.call("POST", "/api/auth/tokens", { name: "Reporting", unitId: editor.unitId, role: "viewer" });
    expect(created.statusCode).toBe(201);
    const { token, id } = created.json();
    expect(token).toMatch(/^lia_/);
    const stored = await db().selectFrom("apiTokens").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(stored.tokenHash).not.toContain(token);
    expect(JSON.stringify((await browser.call("GET", "/api/auth/tokens")).json())).not.toContain(token);
    const integration = new Browser(app, { authorization: `Bearer ${token}` });
    expect((await integration.call("GET", "/api/organisations")).statusCode).toBe(200);
    // A viewer token cannot write, and needs no CSRF token because it is not a cookie.
    expect((await integration.call("POST", "/api/tags", { key: unique("t"), nameEn: "T", nameZh: "标签" })).statusCode).toBe(403);
    const denied = await db()
      .selectFrom("auditLog")
      .selectAll()
      .where("entity", "=", "permission")
      .where("actorId", "=", editor.userId)
      .execute();
    expect(denied.map((d) => [d.action, (d.after as { route: string }).route])).toEqual([
      ["denied", "/api/auth/tokens"],
      ["denied", "/api/tags"],
    ]);
    expect((await browser.call("DELETE", `/api/auth/tokens/${id}`)).statusCode).toBe(204);
    expect((await integration.call("GET", "/api/organisations")).statusCode).toBe(401);
    expect((await new Browser(app, { authorization: "Bearer lia_nonsense" }).call("GET", "/api/organisations")).statusCode).toBe(401);
  });
});

describe("preferences", () => {
  it("keeps each user's language across sessions and refuses an unknown one", async () => {
    const user = await userWithPassword("viewer");
    const first = new Browser(app);
    await first.login(user.username, password);
    const preferences = { locale: null, email: null, emailNotifications: true, mailConfigured: false };
    expect((await first.call("GET", "/api/auth/preferences")).json()).toEqual(preferences);
    expect((await first.call("PUT", "/api/auth/preferences", { locale: "zh-CN" })).json()).toEqual({ ...preferences, locale: "zh-CN" });
    expect((await first.call("PUT", "/api/auth/preferences", { locale: "fr" })).statusCode).toBe(400);
    // The address and the language are kept apart: setting one leaves the other.
    expect((await first.call("PUT", "/api/auth/preferences", { email: "viewer@example.org" })).json()).toEqual({
      ...preferences,
      locale: "zh-CN",
      email: "viewer@example.org",
    });
    const second = new Browser(app);
    await second.login(user.username, password);
    expect((await second.call("GET", "/api/auth/preferences")).json()).toEqual({
      ...preferences,
      locale: "zh-CN",
      email: "viewer@example.org",
    });
  });
});
