import { createHash, randomBytes } from "node:crypto";
import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { authorize } from "../access/policy.ts";
import type { Actor, Role } from "../shared/actor.ts";
import { AppError, invalidField, notFound } from "../shared/errors.ts";
import { type Executor, mutate, writeAuditAs } from "../shared/mutation.ts";
import { id as idSchema, parseInput } from "../shared/schema.ts";
import { hashPassword, passwordIssues, verifyPassword } from "./passwords.ts";
import {
  type ApiTokenOutput,
  apiTokenCreateInput,
  loginInput,
  type Preferences,
  passwordChangeInput,
  passwordSetInput,
  preferencesInput,
} from "./schema.ts";

/** Session lifetimes: idle and absolute, in minutes (LIAISON_SESSION_IDLE_MINUTES, LIAISON_SESSION_MAX_HOURS). */
export interface SessionPolicy {
  idleMinutes: number;
  maxHours: number;
}

export const defaultSessionPolicy: SessionPolicy = { idleMinutes: 120, maxHours: 12 };

/** Failed logins allowed in the window before further attempts are refused (429). */
export const loginLimits = { windowMinutes: 15, perAccount: 5, perAddress: 30 };

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");
const roleRank: Record<Role, number> = { viewer: 0, editor: 1, coordinator: 2, administrator: 3 };

/** Where a request comes from, for sessions, rate limits and the audit. */
export interface RequestContext {
  ip: string;
  userAgent: string | null;
}

async function actorOf(executor: Executor, user: { id: number; username: string; clearance: boolean }): Promise<Actor> {
  const roles = await executor.selectFrom("userRoles").select(["unitId", "role"]).where("userId", "=", user.id).orderBy("unitId").execute();
  return { userId: user.id, username: user.username, unitId: roles[0]?.unitId ?? 0, roles, clearance: user.clearance };
}

async function newSession(executor: Executor, userId: number, context: RequestContext, policy: SessionPolicy) {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + policy.maxHours * 3600_000);
  await executor
    .insertInto("sessions")
    .values({ idHash: sha256(token), userId, expiresAt, ip: context.ip, userAgent: context.userAgent?.slice(0, 500) ?? null })
    .execute();
  return { token, expiresAt };
}

/**
 * Signs in with a username and password. A new session id every time (the one the
 * browser held before is ended); each failure is recorded and audited, and too many
 * failures for the account or the address in 15 minutes refuse further tries (429).
 */
export async function login(
  input: unknown,
  context: RequestContext,
  options: { previousToken?: string | undefined; policy?: SessionPolicy } = {},
): Promise<{ token: string; expiresAt: Date; actor: Actor; displayName: string }> {
  const data = parseInput(loginInput, input);
  const since = sql<Date>`now() - ${`${loginLimits.windowMinutes} minutes`}::interval`;
  const failures = await db()
    .selectFrom("loginFailures")
    .select([
      sql<number>`count(*) FILTER (WHERE lower(username) = lower(${data.username}))::int`.as("account"),
      sql<number>`count(*) FILTER (WHERE ip = ${context.ip})::int`.as("address"),
    ])
    .where("at", ">", since)
    .executeTakeFirstOrThrow();
  if (failures.account >= loginLimits.perAccount || failures.address >= loginLimits.perAddress) {
    await writeAuditAs(
      db(),
      { userId: null, unitId: null },
      {
        entity: "login",
        entityId: null,
        action: "refused",
        after: { username: data.username, ip: context.ip, reason: "too many failures" },
      },
    );
    throw new AppError("RATE_LIMITED", "Too many failed sign-ins; wait 15 minutes. / 登录失败次数过多，请 15 分钟后再试。");
  }
  const user = await db()
    .selectFrom("users")
    .select(["id", "username", "displayName", "passwordHash", "disabled", "clearance"])
    .where(sql`lower(username)`, "=", data.username.toLowerCase())
    .executeTakeFirst();
  const valid = await verifyPassword(data.password, user?.passwordHash ?? null);
  if (!user || !valid || user.disabled) {
    await db()
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto("loginFailures").values({ username: data.username, ip: context.ip }).execute();
        await writeAuditAs(
          trx,
          { userId: user?.id ?? null, unitId: null },
          {
            entity: "login",
            entityId: user?.id ?? null,
            action: "failure",
            after: { username: data.username, ip: context.ip, reason: user?.disabled && valid ? "disabled" : "wrong credentials" },
          },
        );
      });
    throw new AppError("UNAUTHENTICATED", "Wrong username or password. / 用户名或密码错误。");
  }
  return db()
    .transaction()
    .execute(async (trx) => {
      if (options.previousToken) await trx.deleteFrom("sessions").where("idHash", "=", sha256(options.previousToken)).execute();
      const session = await newSession(trx, user.id, context, options.policy ?? defaultSessionPolicy);
      const actor = await actorOf(trx, user);
      await writeAuditAs(
        trx,
        { userId: user.id, unitId: actor.unitId },
        {
          entity: "login",
          entityId: user.id,
          action: "success",
          after: { ip: context.ip },
        },
      );
      return { ...session, actor, displayName: user.displayName };
    });
}

/** The actor of a session cookie, or undefined when it is unknown, idle too long or past its end. */
export async function resolveSession(
  token: string,
  policy: SessionPolicy = defaultSessionPolicy,
): Promise<{ actor: Actor; expiresAt: Date; displayName: string } | undefined> {
  const row = await db()
    .selectFrom("sessions as s")
    .innerJoin("users as u", "u.id", "s.userId")
    .select(["s.idHash", "s.lastSeenAt", "s.expiresAt", "u.id", "u.username", "u.displayName", "u.clearance"])
    .where("s.idHash", "=", sha256(token))
    .where("u.disabled", "=", false)
    .where("s.expiresAt", ">", sql<Date>`now()`)
    .where("s.lastSeenAt", ">", sql<Date>`now() - ${`${policy.idleMinutes} minutes`}::interval`)
    .executeTakeFirst();
  if (!row) return undefined;
  // Touch at most once a minute: an idle timeout needs no more precision than that.
  if (Date.now() - new Date(row.lastSeenAt).getTime() > 60_000) {
    await db().updateTable("sessions").set({ lastSeenAt: new Date() }).where("idHash", "=", row.idHash).execute();
  }
  return { actor: await actorOf(db(), row), expiresAt: new Date(row.expiresAt), displayName: row.displayName };
}

/** Ends a session (logging out). */
export async function logout(actor: Actor, token: string): Promise<void> {
  authorize(actor, "account.manage");
  await mutate(actor, async (trx) => {
    await trx.deleteFrom("sessions").where("idHash", "=", sha256(token)).execute();
    return { result: undefined, audit: { entity: "login", entityId: actor.userId, action: "logout" } };
  });
}

/** Stores a new password hash and ends every session of the user. */
async function replacePassword(trx: Executor, userId: number, passwordHash: string): Promise<void> {
  await trx
    .updateTable("users")
    .set({ passwordHash, passwordChangedAt: new Date(), updatedAt: new Date() })
    .where("id", "=", userId)
    .execute();
  await trx.deleteFrom("sessions").where("userId", "=", userId).execute();
}

function checkPolicy(password: string, username: string, path: string): void {
  const issues = passwordIssues(password, username, path);
  if (issues.length > 0) throw new AppError("VALIDATION_FAILED", issues[0]?.message ?? "Invalid password.", { fields: issues });
}

/**
 * Changes one's own password: every session of the user ends, and the caller gets a new
 * one (a new id), so other browsers are signed out.
 */
export async function changePassword(
  actor: Actor,
  input: unknown,
  context: RequestContext,
  policy: SessionPolicy = defaultSessionPolicy,
): Promise<{ token: string; expiresAt: Date }> {
  authorize(actor, "account.manage");
  const data = parseInput(passwordChangeInput, input);
  const user = await db().selectFrom("users").select(["id", "username", "passwordHash"]).where("id", "=", actor.userId).executeTakeFirst();
  if (!user) throw notFound("user", actor.userId);
  if (!(await verifyPassword(data.currentPassword, user.passwordHash))) throw invalidField("currentPassword", "Not your current password.");
  checkPolicy(data.newPassword, user.username, "newPassword");
  const passwordHash = await hashPassword(data.newPassword);
  return mutate(actor, async (trx) => {
    await replacePassword(trx, user.id, passwordHash);
    const session = await newSession(trx, user.id, context, policy);
    return { result: session, audit: { entity: "user", entityId: user.id, action: "password_change" } };
  });
}

/** Sets a user's password (administrators); the user's sessions end at once. */
export async function setUserPassword(actor: Actor, userId: number, input: unknown): Promise<void> {
  authorize(actor, "users.write");
  const targetId = parseInput(idSchema, userId);
  const data = parseInput(passwordSetInput, input);
  const user = await db().selectFrom("users").select(["id", "username"]).where("id", "=", targetId).executeTakeFirst();
  if (!user) throw notFound("user", targetId);
  checkPolicy(data.password, user.username, "password");
  const passwordHash = await hashPassword(data.password);
  await mutate(actor, async (trx) => {
    await replacePassword(trx, user.id, passwordHash);
    return { result: undefined, audit: { entity: "user", entityId: user.id, action: "password_set" } };
  });
}

/**
 * Gives the built-in administrator a password when it has none: the one given
 * (LIAISON_ADMIN_PASSWORD) or a random one, returned so that it can be shown once.
 */
export async function ensureAdministratorPassword(given: string | undefined, generate: () => string): Promise<string | null> {
  const admin = await db().selectFrom("users").select(["id", "username", "passwordHash"]).where("builtin", "=", true).executeTakeFirst();
  if (!admin || admin.passwordHash) return null;
  const password = given ?? generate();
  checkPolicy(password, admin.username, "LIAISON_ADMIN_PASSWORD");
  await db()
    .updateTable("users")
    .set({ passwordHash: await hashPassword(password), passwordChangedAt: new Date() })
    .where("id", "=", admin.id)
    .where("passwordHash", "is", null)
    .execute();
  return password;
}

function presentToken(row: {
  id: number;
  name: string;
  unitId: number;
  role: string;
  prefix: string;
  createdAt: Date | string;
  expiresAt: Date | string | null;
  lastUsedAt: Date | string | null;
  revokedAt: Date | string | null;
}): ApiTokenOutput {
  const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
  return {
    id: row.id,
    name: row.name,
    unitId: row.unitId,
    role: row.role,
    prefix: row.prefix,
    createdAt: new Date(row.createdAt).toISOString(),
    expiresAt: iso(row.expiresAt),
    lastUsedAt: iso(row.lastUsedAt),
    revokedAt: iso(row.revokedAt),
  };
}

/**
 * Creates an API token for an integration, scoped to one unit and one role no higher than
 * the creator holds there. The token is returned once; only its hash is kept.
 */
export async function createApiToken(actor: Actor, input: unknown): Promise<ApiTokenOutput & { token: string }> {
  authorize(actor, "account.manage");
  const data = parseInput(apiTokenCreateInput, input);
  const held = actor.roles.filter((r) => r.unitId === data.unitId || r.role === "administrator").map((r) => roleRank[r.role]);
  if (held.length === 0 || Math.max(...held) < roleRank[data.role]) {
    throw new AppError("FORBIDDEN", "A token cannot have more rights than you hold in that unit.", {
      fields: [{ path: "role", message: "Too high." }],
    });
  }
  const unit = await db().selectFrom("units").select("id").where("id", "=", data.unitId).executeTakeFirst();
  if (!unit) throw invalidField("unitId", `No unit ${data.unitId}.`);
  const token = `lia_${randomBytes(32).toString("base64url")}`;
  return mutate(actor, async (trx) => {
    const row = await trx
      .insertInto("apiTokens")
      .values({
        userId: actor.userId,
        name: data.name,
        unitId: data.unitId,
        role: data.role,
        tokenHash: sha256(token),
        prefix: token.slice(0, 10),
        expiresAt: data.expiresAt ? new Date(data.expiresAt) : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const result = presentToken(row);
    return { result: { ...result, token }, audit: { entity: "api_token", entityId: row.id, action: "create", after: result } };
  });
}

/** The caller's API tokens (administrators see everyone's). */
export async function listApiTokens(actor: Actor): Promise<ApiTokenOutput[]> {
  authorize(actor, "account.manage");
  const isAdmin = actor.roles.some((r) => r.role === "administrator");
  let query = db().selectFrom("apiTokens").selectAll().orderBy("id");
  if (!isAdmin) query = query.where("userId", "=", actor.userId);
  return (await query.execute()).map(presentToken);
}

/** Revokes an API token at once. */
export async function revokeApiToken(actor: Actor, tokenId: number): Promise<void> {
  authorize(actor, "account.manage");
  const id = parseInput(idSchema, tokenId);
  const isAdmin = actor.roles.some((r) => r.role === "administrator");
  await mutate(actor, async (trx) => {
    let query = trx.updateTable("apiTokens").set({ revokedAt: new Date() }).where("id", "=", id).where("revokedAt", "is", null);
    if (!isAdmin) query = query.where("userId", "=", actor.userId);
    const row = await query.returningAll().executeTakeFirst();
    if (!row) throw notFound("API token", id);
    return { result: undefined, audit: { entity: "api_token", entityId: id, action: "revoke", after: presentToken(row) } };
  });
}

/** The actor of an API token: its user, limited to the token's unit and role. */
export async function resolveApiToken(token: string): Promise<Actor | undefined> {
  const row = await db()
    .selectFrom("apiTokens as t")
    .innerJoin("users as u", "u.id", "t.userId")
    .select(["t.id", "t.unitId", "t.role", "t.lastUsedAt", "u.id as userId", "u.username", "u.clearance"])
    .where("t.tokenHash", "=", sha256(token))
    .where("t.revokedAt", "is", null)
    .where("u.disabled", "=", false)
    .where((eb) => eb.or([eb("t.expiresAt", "is", null), eb("t.expiresAt", ">", sql<Date>`now()`)]))
    .executeTakeFirst();
  if (!row) return undefined;
  if (!row.lastUsedAt || Date.now() - new Date(row.lastUsedAt).getTime() > 60_000) {
    await db().updateTable("apiTokens").set({ lastUsedAt: new Date() }).where("id", "=", row.id).execute();
  }
  return {
    userId: row.userId,
    username: row.username,
    unitId: row.unitId,
    roles: [{ unitId: row.unitId, role: row.role }],
    clearance: row.clearance,
  };
}

/** The signed-in user's preferences (the web app's language). */
export async function getPreferences(actor: Actor): Promise<Preferences> {
  authorize(actor, "account.manage");
  const row = await db().selectFrom("users").select("locale").where("id", "=", actor.userId).executeTakeFirst();
  if (!row) throw notFound("user", actor.userId);
  return { locale: row.locale };
}

/** Keeps the user's language, so that every browser they sign in from shows it. */
export async function setPreferences(actor: Actor, input: unknown): Promise<Preferences> {
  authorize(actor, "account.manage");
  const data = parseInput(preferencesInput, input);
  return mutate(actor, async (trx) => {
    const before = await trx.selectFrom("users").select("locale").where("id", "=", actor.userId).forUpdate().executeTakeFirst();
    if (!before) throw notFound("user", actor.userId);
    await trx.updateTable("users").set({ locale: data.locale }).where("id", "=", actor.userId).execute();
    return {
      result: { locale: data.locale },
      audit: { entity: "user_preferences", entityId: actor.userId, action: "update", before, after: data },
    };
  });
}
