import { createHash, randomBytes } from "node:crypto";
import { type RawBuilder, sql } from "kysely";
import { db } from "../../db/current.ts";
import { authorize } from "../access/policy.ts";
import { roleReaches } from "../access/scope.ts";
import { mailConfigured } from "../notifications/mail-settings.ts";
import { type Actor, type Role, type RoleGrant, roleRank, roles } from "../shared/actor.ts";
import { AppError, invalidField, notFound } from "../shared/errors.ts";
import { type Executor, mutate, writeAuditAs } from "../shared/mutation.ts";
import { id as idSchema, parseInput } from "../shared/schema.ts";
import { CredentialCache, credentialEpoch, forgetCredentials, frozenCopy } from "./credential-cache.ts";
import { hashPassword, passwordIssues, verifyPassword } from "./passwords.ts";
import {
  type ApiTokenOutput,
  apiTokenCreateInput,
  loginInput,
  type Preferences,
  passwordChangeInput,
  passwordSetInput,
  preferencesInput,
  type SessionListItem,
} from "./schema.ts";

/** Session lifetimes: idle and absolute, in minutes (LIAISON_SESSION_IDLE_MINUTES, LIAISON_SESSION_MAX_HOURS). */
export interface SessionPolicy {
  idleMinutes: number;
  maxHours: number;
}

export const defaultSessionPolicy: SessionPolicy = { idleMinutes: 120, maxHours: 12 };

/** Failed logins allowed in the window before further attempts are refused (429). */
export const loginLimits = {
  windowMinutes: 15,
  perAccount: 5,
  perAddress: 30,
  /** How long a sign-in waits for its turn before it is refused. */
  waitMs: 20_000,
  /** Sign-ins that may wait their turn per address (in one process). */
  waitingPerAddress: 300,
};

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

/** Where a request comes from, for sessions, rate limits and the audit. */
export interface RequestContext {
  ip: string;
  userAgent: string | null;
}

/**
 * A user's grants as they stand now, each with its reach: `everyUnit` when the role covers
 * sub-units from the only root of the unit tree (then no query needs the tree).
 */
/**
 * SQL: a user's role grants as one JSON array, in unit and role order (a grant over the top unit
 * with its sub-units reaches every unit when the tree has one top). One expression, so that a
 * session's lookup reads the session, its user and the roles in one query. (Its aliases are its
 * own: `userId` may name a column of the query around it.)
 */
function grantsJson(userId: RawBuilder<unknown>): RawBuilder<RoleGrant[]> {
  return sql<RoleGrant[]>`coalesce((SELECT json_agg(json_build_object('unitId', r.unit_id, 'role', r.role, 'subunits', r.subunits,
      'everyUnit', (r.subunits AND grant_unit.parent_id IS NULL AND (SELECT count(*) FROM units WHERE parent_id IS NULL) = 1))
      ORDER BY r.unit_id, r.role)
    FROM user_roles r JOIN units grant_unit ON grant_unit.id = r.unit_id WHERE r.user_id = ${userId}), '[]'::json)`;
}

async function grantsOf(executor: Executor, userId: number): Promise<RoleGrant[]> {
  const row = await sql<{ grants: RoleGrant[] }>`SELECT ${grantsJson(sql`${userId}`)} AS grants`.execute(executor);
  return row.rows[0]?.grants ?? [];
}

async function actorOf(
  executor: Executor,
  user: { id: number; username: string; clearance: boolean },
  sessionId: number | null = null,
  known?: RoleGrant[],
): Promise<Actor> {
  const grants = known ?? (await grantsOf(executor, user.id));
  return {
    userId: user.id,
    username: user.username,
    unitId: grants[0]?.unitId ?? 0,
    roles: grants,
    clearance: user.clearance,
    credential: { kind: "session", sessionId },
  };
}

/** The actor a user is now (their current roles and clearance), for the CLI and tests. */
export async function actorForUser(userId: number): Promise<Actor | undefined> {
  const user = await db().selectFrom("users").select(["id", "username", "clearance"]).where("id", "=", userId).executeTakeFirst();
  return user ? actorOf(db(), user) : undefined;
}

async function newSession(executor: Executor, userId: number, context: RequestContext, policy: SessionPolicy) {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + policy.maxHours * 3600_000);
  const row = await executor
    .insertInto("sessions")
    .values({ idHash: sha256(token), userId, expiresAt, ip: context.ip, userAgent: context.userAgent?.slice(0, 500) ?? null })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { token, expiresAt, sessionId: row.id };
}

/**
 * Takes one sign-in attempt from the account's and the address's allowance, atomically:
 * the count, the check and the record happen under a lock on both, so parallel tries
 * cannot all slip under the limit. Returns the attempt's record (removed when the password
 * proves right, kept as the failure's record otherwise); "refused" when a limit is reached;
 * "busy" when it may be reached by the checks still running.
 *
 * Both limits refuse only for failures (an attempt whose check has run a minute is taken for
 * one: the process checking it has gone); while failures and running checks together fill an
 * allowance, a further try waits for the checks to end. So an office signing in at nine from
 * behind one address is let in, thirty checks at a time, and a burst of guesses still ends at
 * five for an account and thirty for an address.
 */
async function reserveAttempt(username: string, ip: string): Promise<number | "refused" | "busy"> {
  return db()
    .transaction()
    .execute(async (trx) => {
      // Always the account first, then the address: two sign-ins cannot wait for each other.
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`login:account:${username.toLowerCase()}`}))`.execute(trx);
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`login:address:${ip}`}))`.execute(trx);
      const since = sql<Date>`now() - ${`${loginLimits.windowMinutes} minutes`}::interval`;
      const running = sql<boolean>`(checking AND at > now() - interval '1 minute')`;
      const counted = await trx
        .selectFrom("loginFailures")
        .select([
          sql<number>`count(*) FILTER (WHERE lower(username) = lower(${username}) AND NOT ${running})::int`.as("accountFailures"),
          sql<number>`count(*) FILTER (WHERE lower(username) = lower(${username}) AND ${running})::int`.as("accountChecks"),
          sql<number>`count(*) FILTER (WHERE ip = ${ip} AND NOT ${running})::int`.as("addressFailures"),
          sql<number>`count(*) FILTER (WHERE ip = ${ip} AND ${running})::int`.as("addressChecks"),
        ])
        .where("at", ">", since)
        .executeTakeFirstOrThrow();
      if (counted.accountFailures >= loginLimits.perAccount || counted.addressFailures >= loginLimits.perAddress) return "refused";
      // Checks still running may yet fail: until they are done, a try beyond an allowance waits.
      if (
        counted.accountFailures + counted.accountChecks >= loginLimits.perAccount ||
        counted.addressFailures + counted.addressChecks >= loginLimits.perAddress
      )
        return "busy";
      const row = await trx.insertInto("loginFailures").values({ username, ip, checking: true }).returning("id").executeTakeFirstOrThrow();
      return row.id;
    });
}

/** Sign-ins waiting in this process for a check to end, per address, in order of arrival. */
const waitingByAddress = new Map<string, Array<() => void>>();

/** A check from `ip` ended in this process: the first sign-in waiting from there asks again. */
function checkEnded(ip: string): void {
  waitingByAddress.get(ip)?.[0]?.();
}

/**
 * Reserves a sign-in attempt, waiting (up to `loginLimits.waitMs`) while running checks fill an
 * allowance. Those waiting from one address queue in this process: each check that ends there
 * lets the first ask again, so a crowd asks the database about once per check, not once each;
 * each also asks every few seconds on its own (a check may end in another process). At most
 * `loginLimits.waitingPerAddress` wait; a crowd beyond that is told "busy" at once.
 */
async function reserveAttemptInTurn(username: string, ip: string): Promise<number | "refused" | "busy"> {
  const until = Date.now() + loginLimits.waitMs;
  for (;;) {
    const reserved = await reserveAttempt(username, ip);
    if (reserved !== "busy" || Date.now() >= until) return reserved;
    let queue = waitingByAddress.get(ip);
    if (!queue) {
      queue = [];
      waitingByAddress.set(ip, queue);
    }
    if (queue.length >= loginLimits.waitingPerAddress) return "busy";
    const line = queue;
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        const at = line.indexOf(wake);
        if (at >= 0) line.splice(at, 1);
        if (line.length === 0 && waitingByAddress.get(ip) === line) waitingByAddress.delete(ip);
        resolve();
      };
      const timer = setTimeout(wake, 2000 + Math.random() * 1000);
      line.push(wake);
    });
  }
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
  const attempt = await reserveAttemptInTurn(data.username, context.ip);
  if (attempt === "busy") {
    throw new AppError(
      "RATE_LIMITED",
      "Too many sign-ins at once from your address; try again in a moment. / 来自您所在地址的登录过多，请稍后再试。",
    );
  }
  if (attempt === "refused") {
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
  // The reservation ends here whatever happens: kept as a failure's record, removed by a sign-in,
  // or removed when something else broke (a correct password is not counted as a failure then).
  let recorded = false;
  try {
    const user = await db()
      .selectFrom("users")
      .select(["id", "username", "displayName", "passwordHash", "disabled", "clearance"])
      .where(sql`lower(username)`, "=", data.username.toLowerCase())
      .executeTakeFirst();
    const valid = await verifyPassword(data.password, user?.passwordHash ?? null);
    if (!user || !valid || user.disabled) {
      // The reserved attempt stays as the failure's record.
      await db().updateTable("loginFailures").set({ checking: false }).where("id", "=", attempt).execute();
      recorded = true;
      await writeAuditAs(
        db(),
        { userId: user?.id ?? null, unitId: null },
        {
          entity: "login",
          entityId: user?.id ?? null,
          action: "failure",
          after: { username: data.username, ip: context.ip, reason: user?.disabled && valid ? "disabled" : "wrong credentials" },
        },
      );
      throw new AppError("UNAUTHENTICATED", "Wrong username or password. / 用户名或密码错误。");
    }
    const signedIn = await db()
      .transaction()
      .execute(async (trx) => {
        await trx.deleteFrom("loginFailures").where("id", "=", attempt).execute();
        if (options.previousToken) await trx.deleteFrom("sessions").where("idHash", "=", sha256(options.previousToken)).execute();
        const session = await newSession(trx, user.id, context, options.policy ?? defaultSessionPolicy);
        const actor = await actorOf(trx, user, session.sessionId);
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
        return { token: session.token, expiresAt: session.expiresAt, actor, displayName: user.displayName };
      });
    recorded = true;
    // The session it replaces ends here at once, not only when the database's notice arrives.
    if (options.previousToken) forgetCredentials();
    return signedIn;
  } catch (error) {
    if (!recorded) {
      await db()
        .deleteFrom("loginFailures")
        .where("id", "=", attempt)
        .execute()
        .catch(() => {});
    }
    throw error;
  } finally {
    checkEnded(context.ip);
  }
}

/**
 * How long a session may go without being touched: at most a minute, and never more than a
 * tenth of the idle limit, so that a session in use is never taken for an idle one.
 */
export function touchInterval(policy: SessionPolicy): number {
  return Math.min(60_000, (policy.idleMinutes * 60_000) / 10);
}

/** A session as kept by this process: its actor, end, last recorded use and the name it shows. */
interface KeptSession {
  actor: Actor;
  expiresAt: number;
  lastSeenAt: number;
  displayName: string;
}
const keptSessions = new CredentialCache<KeptSession>();

/** The actor of a session cookie, or undefined when it is unknown, idle too long or past its end. */
export async function resolveSession(
  token: string,
  policy: SessionPolicy = defaultSessionPolicy,
): Promise<{ actor: Actor; expiresAt: Date; displayName: string } | undefined> {
  const key = sha256(token);
  const kept = keptSessions.read(key);
  // Answered from memory only while its last use is recorded recently enough: past the touch
  // interval (well inside the idle limit) it is looked up, checked and touched in the database.
  if (kept && kept.expiresAt > Date.now() && Date.now() - kept.lastSeenAt <= touchInterval(policy)) {
    return { actor: kept.actor, expiresAt: new Date(kept.expiresAt), displayName: kept.displayName };
  }
  const since = credentialEpoch();
  const row = await db()
    .selectFrom("sessions as s")
    .innerJoin("users as u", "u.id", "s.userId")
    .select(["s.id as sessionId", "s.idHash", "s.lastSeenAt", "s.expiresAt", "u.id", "u.username", "u.displayName", "u.clearance"])
    .select(grantsJson(sql.ref("u.id")).as("grants"))
    .where("s.idHash", "=", key)
    .where("u.disabled", "=", false)
    .where("s.expiresAt", ">", sql<Date>`now()`)
    .where("s.lastSeenAt", ">", sql<Date>`now() - ${`${policy.idleMinutes} minutes`}::interval`)
    .executeTakeFirst();
  if (!row) {
    keptSessions.drop(key);
    return undefined;
  }
  let lastSeenAt = new Date(row.lastSeenAt).getTime();
  if (Date.now() - lastSeenAt > touchInterval(policy)) {
    await db().updateTable("sessions").set({ lastSeenAt: new Date() }).where("idHash", "=", row.idHash).execute();
    lastSeenAt = Date.now();
  }
  const actor = await actorOf(db(), row, row.sessionId, row.grants);
  const expiresAt = new Date(row.expiresAt).getTime();
  keptSessions.keep(key, { actor: frozenCopy(actor), expiresAt, lastSeenAt, displayName: row.displayName }, since);
  return { actor, expiresAt: new Date(expiresAt), displayName: row.displayName };
}

/** Ends a session (logging out). */
export async function logout(actor: Actor, token: string): Promise<void> {
  authorize(actor, "account.manage");
  await mutate(actor, async (trx) => {
    await trx.deleteFrom("sessions").where("idHash", "=", sha256(token)).execute();
    return { result: undefined, audit: { entity: "login", entityId: actor.userId, action: "logout" } };
  });
}

/** The caller's own sessions that are still open, the most recently used first. */
export async function listSessions(actor: Actor, policy: SessionPolicy = defaultSessionPolicy): Promise<SessionListItem[]> {
  authorize(actor, "account.manage");
  refuseTokens(actor, "manage sessions");
  const rows = await db()
    .selectFrom("sessions")
    .select(["id", "createdAt", "lastSeenAt", "expiresAt", "ip", "userAgent"])
    .where("userId", "=", actor.userId)
    .where("expiresAt", ">", sql<Date>`now()`)
    .where("lastSeenAt", ">", sql<Date>`now() - ${`${policy.idleMinutes} minutes`}::interval`)
    .orderBy("lastSeenAt", "desc")
    .execute();
  const current = actor.credential?.kind === "session" ? actor.credential.sessionId : null;
  return rows.map((r) => ({
    id: r.id,
    createdAt: new Date(r.createdAt).toISOString(),
    lastSeenAt: new Date(r.lastSeenAt).toISOString(),
    expiresAt: new Date(r.expiresAt).toISOString(),
    ip: r.ip,
    userAgent: r.userAgent,
    current: r.id === current,
  }));
}

/** Ends one of the caller's sessions (another browser); NOT_FOUND for anyone else's. */
export async function endSession(actor: Actor, sessionId: number): Promise<void> {
  authorize(actor, "account.manage");
  refuseTokens(actor, "manage sessions");
  const id = parseInput(idSchema, sessionId);
  await mutate(actor, async (trx) => {
    const ended = await trx
      .deleteFrom("sessions")
      .where("id", "=", id)
      .where("userId", "=", actor.userId)
      .returning("id")
      .executeTakeFirst();
    if (!ended) throw notFound("session", id);
    return { result: undefined, audit: { entity: "session", entityId: id, action: "end" } };
  });
}

/** Signs the caller out everywhere: every session of theirs ends, this one too. */
export async function endAllSessions(actor: Actor): Promise<{ ended: number }> {
  authorize(actor, "account.manage");
  refuseTokens(actor, "manage sessions");
  return mutate(actor, async (trx) => {
    const ended = await trx.deleteFrom("sessions").where("userId", "=", actor.userId).returning("id").execute();
    return {
      result: { ended: ended.length },
      audit: { entity: "session", entityId: null, action: "end_all", after: { ended: ended.length } },
    };
  });
}

/** Stores a new password hash and ends every session and API token of the user. */
async function replacePassword(trx: Executor, userId: number, passwordHash: string): Promise<void> {
  await trx
    .updateTable("users")
    .set({ passwordHash, passwordChangedAt: new Date(), updatedAt: new Date() })
    .where("id", "=", userId)
    .execute();
  await trx.deleteFrom("sessions").where("userId", "=", userId).execute();
  await trx.updateTable("apiTokens").set({ revokedAt: new Date() }).where("userId", "=", userId).where("revokedAt", "is", null).execute();
}

/** Refuses what only a signed-in person may do to a caller holding an API token. */
function refuseTokens(actor: Actor, what: string): void {
  if (actor.credential?.kind === "token") {
    throw new AppError("FORBIDDEN", `An API token cannot ${what}; sign in with your password.`, { credential: "token" });
  }
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
  // A token changing the password would come away with a session: tokens never obtain one.
  refuseTokens(actor, "change the password");
  const data = parseInput(passwordChangeInput, input);
  const user = await db().selectFrom("users").select(["id", "username", "passwordHash"]).where("id", "=", actor.userId).executeTakeFirst();
  if (!user) throw notFound("user", actor.userId);
  if (!(await verifyPassword(data.currentPassword, user.passwordHash))) throw invalidField("currentPassword", "Not your current password.");
  checkPolicy(data.newPassword, user.username, "newPassword");
  const passwordHash = await hashPassword(data.newPassword);
  return mutate(actor, async (trx) => {
    await replacePassword(trx, user.id, passwordHash);
    const session = await newSession(trx, user.id, context, policy);
    return {
      result: { token: session.token, expiresAt: session.expiresAt },
      audit: { entity: "user", entityId: user.id, action: "password_change" },
    };
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

/** SQL: a token's id and those of every token made from it, at any depth. */
function tokenFamily(tokenId: number) {
  return sql`WITH RECURSIVE family(id) AS (SELECT ${tokenId}::int UNION SELECT t.id FROM api_tokens t JOIN family f ON t.parent_id = f.id) SELECT id FROM family`;
}

/** Whether a unit is the top of the only unit tree (so that a role over it covers every unit). */
async function isSoleRoot(executor: Executor, unitId: number): Promise<boolean> {
  const row = await sql<{ sole: boolean }>`SELECT (u.parent_id IS NULL AND (SELECT count(*) FROM units WHERE parent_id IS NULL) = 1) AS sole
    FROM units u WHERE u.id = ${unitId}`.execute(executor);
  return row.rows[0]?.sole === true;
}

/**
 * The highest role the actor holds that reaches a unit (held there, or above it covering
 * sub-units; an administrator's everywhere), or null.
 */
async function highestRoleIn(executor: Executor, actor: Actor, unitId: number): Promise<Role | null> {
  const ordered = [...roles].sort((a, b) => roleRank[b] - roleRank[a]);
  const row = await executor
    .selectFrom("units as u")
    .select(ordered.map((role) => roleReaches(actor, role, sql.ref("u.id")).as(role)))
    .where("u.id", "=", unitId)
    .executeTakeFirst();
  if (!row) throw invalidField("unitId", `No unit ${unitId}.`);
  const reached = row as unknown as Record<Role, boolean>;
  return ordered.find((role) => reached[role]) ?? null;
}

/**
 * Creates an API token for an integration, scoped to one unit (and its sub-units) and one
 * role no higher than the creator holds there. A token may create another only within its
 * own reach and expiry. The token is returned once; only its hash is kept.
 */
export async function createApiToken(actor: Actor, input: unknown): Promise<ApiTokenOutput & { token: string }> {
  authorize(actor, "account.manage");
  const data = parseInput(apiTokenCreateInput, input);
  const expiresAt = data.expiresAt ? new Date(data.expiresAt) : null;
  if (expiresAt && expiresAt.getTime() <= Date.now()) throw invalidField("expiresAt", "The expiry is in the past.");
  if (actor.credential?.kind === "token" && actor.credential.expiresAt !== null) {
    const limit = new Date(actor.credential.expiresAt);
    if (!expiresAt || expiresAt > limit) {
      throw new AppError("FORBIDDEN", "A token cannot create a token that outlives it.", {
        fields: [{ path: "expiresAt", message: `At most ${limit.toISOString()}.` }],
      });
    }
  }
  const held = await highestRoleIn(db(), actor, data.unitId);
  if (held === null || roleRank[held] < roleRank[data.role]) {
    throw new AppError("FORBIDDEN", "A token cannot have more rights than you hold in that unit.", {
      fields: [{ path: "role", message: "Too high." }],
    });
  }
  if (data.role === "administrator" && !(await isSoleRoot(db(), data.unitId))) {
    // The administrator's role is the whole installation's; a token cannot hold it for one unit.
    throw invalidField("role", "An administrator token acts everywhere: create it for the top unit, or give it a unit's coordinator role.");
  }
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
        expiresAt,
        parentId: actor.credential?.kind === "token" ? actor.credential.tokenId : null,
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
  const isAdmin = actor.roles.some((r) => r.role === "administrator") && actor.credential?.kind !== "token";
  await mutate(actor, async (trx) => {
    let query = trx.updateTable("apiTokens").set({ revokedAt: new Date() }).where("id", "=", id).where("revokedAt", "is", null);
    if (!isAdmin) query = query.where("userId", "=", actor.userId);
    // A token may end itself and the tokens it made, not its user's others.
    if (actor.credential?.kind === "token") query = query.where(sql<boolean>`id IN (${tokenFamily(actor.credential.tokenId)})`);
    const row = await query.returningAll().executeTakeFirst();
    if (!row) throw notFound("API token", id);
    // The tokens it made end with it.
    await trx
      .updateTable("apiTokens")
      .set({ revokedAt: new Date() })
      .where(sql<boolean>`id IN (${tokenFamily(id)})`)
      .where("revokedAt", "is", null)
      .execute();
    return { result: undefined, audit: { entity: "api_token", entityId: id, action: "revoke", after: presentToken(row) } };
  });
}

/** One role the token's user holds, and where its unit stands from the token's unit. */
interface HeldRole {
  unitId: number;
  role: Role;
  subunits: boolean;
  atOrAbove: boolean;
  below: boolean;
  soleRoot: boolean;
}

/**
 * SQL: the roles the user of token `t` holds, as one JSON array of `HeldRole`s, so that the
 * token, its user and their roles are read in one query. (Its aliases are its own.)
 */
const heldRolesJson = sql<HeldRole[]>`(WITH RECURSIVE up(id, parent_id) AS (
        SELECT id, parent_id FROM units WHERE id = t.unit_id
        UNION SELECT un.id, un.parent_id FROM units un JOIN up ON un.id = up.parent_id),
      down(id) AS (
        SELECT id FROM units WHERE parent_id = t.unit_id
        UNION SELECT un.id FROM units un JOIN down ON un.parent_id = down.id)
    SELECT coalesce(json_agg(json_build_object('unitId', r.unit_id, 'role', r.role, 'subunits', r.subunits,
      'atOrAbove', r.unit_id IN (SELECT id FROM up), 'below', r.unit_id IN (SELECT id FROM down),
      'soleRoot', (SELECT parent_id FROM units WHERE id = t.unit_id) IS NULL AND (SELECT count(*) FROM units WHERE parent_id IS NULL) = 1)
      ORDER BY r.unit_id, r.role), '[]'::json)
    FROM user_roles r WHERE r.user_id = t.user_id)`;

/**
 * The grants a token acts with: the intersection of the token's own scope (its role, over
 * its unit and the units below) with the roles its user holds now. Recomputed on every
 * request, so that a demotion, a role moved to another unit or removed narrows or ends the
 * token at once.
 */
function tokenGrants(token: { unitId: number; role: Role }, held: HeldRole[]): RoleGrant[] {
  const grants: RoleGrant[] = [];
  for (const r of held) {
    const role = roleRank[r.role] < roleRank[token.role] ? r.role : token.role;
    if (r.role === "administrator") {
      // An administrator's token is the installation's only when made for the top of the tree;
      // one for a unit (made before that rule) coordinates that unit and the units below.
      const capped: Role = role === "administrator" && !r.soleRoot ? "coordinator" : role;
      grants.push(
        capped === "administrator"
          ? { unitId: token.unitId, role: capped }
          : { unitId: token.unitId, role: capped, subunits: true, everyUnit: r.soleRoot },
      );
    } else if (r.unitId === token.unitId) {
      grants.push({ unitId: token.unitId, role, subunits: r.subunits, everyUnit: r.subunits && r.soleRoot });
    } else if (r.atOrAbove && r.subunits) {
      grants.push({ unitId: token.unitId, role, subunits: true, everyUnit: r.soleRoot });
    } else if (r.below) {
      grants.push({ unitId: r.unitId, role, subunits: r.subunits });
    }
  }
  return grants;
}

/** A token as kept by this process: its actor and its end. */
const keptTokens = new CredentialCache<{ actor: Actor; expiresAt: number | null }>();

/** The actor of an API token: its user, with the token's rights as they stand now (none: not a valid token). */
export async function resolveApiToken(token: string): Promise<Actor | undefined> {
  const key = sha256(token);
  const kept = keptTokens.read(key);
  if (kept && (kept.expiresAt === null || kept.expiresAt > Date.now())) return kept.actor;
  const since = credentialEpoch();
  // One round trip when the token is not kept: the token, its user and their roles.
  const row = (
    await sql<{
      id: number;
      unitId: number;
      role: Role;
      lastUsedAt: Date | null;
      expiresAt: Date | null;
      userId: number;
      username: string;
      clearance: boolean;
      held: HeldRole[];
    }>`SELECT t.id, t.unit_id, t.role, t.last_used_at, t.expires_at, u.id AS user_id, u.username, u.clearance, ${heldRolesJson} AS held
      FROM api_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = ${key} AND t.revoked_at IS NULL AND NOT u.disabled
        AND (t.expires_at IS NULL OR t.expires_at > now())`.execute(db())
  ).rows[0];
  if (!row) {
    keptTokens.drop(key);
    return undefined;
  }
  const grants = tokenGrants(row, row.held);
  // A user left with no role that reaches the token's unit has a token that can do nothing: it is not a credential any more.
  if (grants.length === 0) return undefined;
  // Recorded at most once a minute; a kept token is looked up again more often than that.
  if (!row.lastUsedAt || Date.now() - new Date(row.lastUsedAt).getTime() > 60_000) {
    await db().updateTable("apiTokens").set({ lastUsedAt: new Date() }).where("id", "=", row.id).execute();
  }
  const expiresAt = row.expiresAt === null ? null : new Date(row.expiresAt);
  const actor: Actor = {
    userId: row.userId,
    username: row.username,
    unitId: row.unitId,
    roles: grants,
    clearance: row.clearance,
    credential: { kind: "token", tokenId: row.id, expiresAt: expiresAt === null ? null : expiresAt.toISOString() },
  };
  keptTokens.keep(key, { actor: frozenCopy(actor), expiresAt: expiresAt === null ? null : expiresAt.getTime() }, since);
  return actor;
}

/** The signed-in user's preferences (the web app's language). */
export async function getPreferences(actor: Actor): Promise<Preferences> {
  authorize(actor, "account.manage");
  const row = await db()
    .selectFrom("users")
    .select(["locale", "email", "emailNotifications"])
    .where("id", "=", actor.userId)
    .executeTakeFirst();
  if (!row) throw notFound("user", actor.userId);
  return { ...row, mailConfigured: mailConfigured() };
}

/** Keeps the user's language (every browser they sign in from shows it) and where and whether notifications are mailed. */
export async function setPreferences(actor: Actor, input: unknown): Promise<Preferences> {
  authorize(actor, "account.manage");
  const data = parseInput(preferencesInput, input);
  return mutate(actor, async (trx) => {
    const before = await trx
      .selectFrom("users")
      .select(["locale", "email", "emailNotifications"])
      .where("id", "=", actor.userId)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw notFound("user", actor.userId);
    const change = {
      ...(data.locale !== undefined ? { locale: data.locale } : {}),
      ...(data.email !== undefined ? { email: data.email?.trim() || null } : {}),
      ...(data.emailNotifications !== undefined ? { emailNotifications: data.emailNotifications } : {}),
    };
    await trx.updateTable("users").set(change).where("id", "=", actor.userId).execute();
    const after = { ...before, ...change };
    return {
      result: { ...after, mailConfigured: mailConfigured() },
      audit: { entity: "user_preferences", entityId: actor.userId, action: "update", before, after },
    };
  });
}
