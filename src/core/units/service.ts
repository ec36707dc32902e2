import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { authorize } from "../access/policy.ts";
import type { Actor, Role } from "../shared/actor.ts";
import { AppError, notFound } from "../shared/errors.ts";
import { mutate, type Trx } from "../shared/mutation.ts";
import { parseInput } from "../shared/schema.ts";
import { presentUnit, presentUser } from "./presenter.ts";
import { type UnitOutput, type UserOutput, unitCreateInput, unitUpdateInput, userCreateInput, userUpdateInput } from "./schema.ts";

/** Lists all units, parents before children. */
export async function listUnits(actor: Actor): Promise<UnitOutput[]> {
  authorize(actor, "units.read");
  const rows = await db().selectFrom("units").selectAll().orderBy("parentId", "asc").orderBy("id").execute();
  return rows.map(presentUnit);
}

async function assertParentAllowed(trx: Trx, unitId: number | null, parentId: number | null | undefined) {
  if (parentId === null || parentId === undefined) return;
  // Walk up from the proposed parent: reaching the unit itself would close a cycle.
  let cursor: number | null = parentId;
  for (let depth = 0; cursor !== null && depth < 100; depth++) {
    if (cursor === unitId) throw new AppError("CONFLICT", "A unit cannot be placed under itself or its own sub-unit.");
    const row: { parentId: number | null } | undefined = await trx
      .selectFrom("units")
      .select("parentId")
      .where("id", "=", cursor)
      .executeTakeFirst();
    if (!row)
      throw new AppError("VALIDATION_FAILED", `No unit with id ${cursor}.`, { fields: [{ path: "parentId", message: "No such unit." }] });
    cursor = row.parentId;
  }
}

/** Creates a unit in the tree. */
export async function createUnit(actor: Actor, input: unknown): Promise<UnitOutput> {
  authorize(actor, "units.write");
  const data = parseInput(unitCreateInput, input);
  return mutate(actor, async (trx) => {
    await assertParentAllowed(trx, null, data.parentId);
    await assertKeyFree(trx, data.key, null);
    const row = await trx
      .insertInto("units")
      .values({ parentId: data.parentId ?? null, kind: data.kind, key: data.key, nameEn: data.nameEn, nameZh: data.nameZh })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { result: presentUnit(row), audit: { entity: "unit", entityId: row.id, action: "create", after: row } };
  });
}

async function assertKeyFree(trx: Trx, key: string, exceptId: number | null) {
  const clash = await trx.selectFrom("units").select("id").where("key", "=", key).executeTakeFirst();
  if (clash && clash.id !== exceptId) {
    throw new AppError("CONFLICT", `A unit with key ${key} exists already.`, { fields: [{ path: "key", message: "Already taken." }] });
  }
}

/** Renames or moves a unit. */
export async function updateUnit(actor: Actor, unitId: number, input: unknown): Promise<UnitOutput> {
  authorize(actor, "units.write");
  const data = parseInput(unitUpdateInput, input);
  return mutate(actor, async (trx) => {
    const before = await trx.selectFrom("units").selectAll().where("id", "=", unitId).forUpdate().executeTakeFirst();
    if (!before) throw notFound("unit", unitId);
    if (data.parentId !== undefined) await assertParentAllowed(trx, unitId, data.parentId);
    if (data.key !== undefined) await assertKeyFree(trx, data.key, unitId);
    const after = await trx
      .updateTable("units")
      .set({ ...data, parentId: data.parentId === undefined ? before.parentId : data.parentId, updatedAt: new Date() })
      .where("id", "=", unitId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { result: presentUnit(after), audit: { entity: "unit", entityId: unitId, action: "update", before, after } };
  });
}

async function rolesOf(userIds: number[]) {
  if (userIds.length === 0) return [];
  return db()
    .selectFrom("userRoles")
    .select(["userId", "unitId", "role", "subunits"])
    .where("userId", "in", userIds)
    .orderBy("unitId")
    .orderBy("role")
    .execute();
}

/** Lists users with their roles. */
export async function listUsers(actor: Actor): Promise<UserOutput[]> {
  authorize(actor, "users.read");
  const users = await db().selectFrom("users").selectAll().orderBy("username").execute();
  const roles = await rolesOf(users.map((u) => u.id));
  return users.map((u) =>
    presentUser(
      u,
      roles.filter((r) => r.userId === u.id),
    ),
  );
}

async function writeRoles(trx: Trx, userId: number, roles: ReadonlyArray<{ unitId: number; role: Role; subunits: boolean }>) {
  await trx.deleteFrom("userRoles").where("userId", "=", userId).execute();
  const unique = [...new Map(roles.map((r) => [`${r.unitId}:${r.role}`, r])).values()];
  if (unique.length === 0) return;
  const units = await trx
    .selectFrom("units")
    .select("id")
    .where(
      "id",
      "in",
      unique.map((r) => r.unitId),
    )
    .execute();
  const known = new Set(units.map((u) => u.id));
  const missing = unique.findIndex((r) => !known.has(r.unitId));
  if (missing >= 0) {
    throw new AppError("VALIDATION_FAILED", "No such unit.", { fields: [{ path: `roles.${missing}.unitId`, message: "No such unit." }] });
  }
  await trx
    .insertInto("userRoles")
    .values(unique.map((r) => ({ userId, unitId: r.unitId, role: r.role, subunits: r.subunits })))
    .execute();
}

/** Creates a user with roles in units. */
export async function createUser(actor: Actor, input: unknown): Promise<UserOutput> {
  authorize(actor, "users.write");
  const data = parseInput(userCreateInput, input);
  return mutate(actor, async (trx) => {
    const clash = await trx.selectFrom("users").select("id").where("username", "=", data.username).executeTakeFirst();
    if (clash) {
      throw new AppError("CONFLICT", `The username ${data.username} is taken.`, {
        fields: [{ path: "username", message: "Already taken." }],
      });
    }
    const user = await trx
      .insertInto("users")
      .values({ username: data.username, displayName: data.displayName })
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeRoles(trx, user.id, data.roles);
    const result = presentUser(user, data.roles);
    return { result, audit: { entity: "user", entityId: user.id, action: "create", after: result } };
  });
}

/** Changes a user's display name, disabled flag or roles. */
export async function updateUser(actor: Actor, userId: number, input: unknown): Promise<UserOutput> {
  authorize(actor, "users.write");
  const data = parseInput(userUpdateInput, input);
  return mutate(actor, async (trx) => {
    const row = await trx.selectFrom("users").selectAll().where("id", "=", userId).forUpdate().executeTakeFirst();
    if (!row) throw notFound("user", userId);
    if (row.builtin && (data.disabled || data.roles)) {
      throw new AppError("CONFLICT", "The built-in administrator cannot be disabled or lose its role.");
    }
    const oldRoles = await trx.selectFrom("userRoles").select(["unitId", "role", "subunits"]).where("userId", "=", userId).execute();
    const before = presentUser(row, oldRoles);
    const updated = await trx
      .updateTable("users")
      .set({
        displayName: data.displayName ?? row.displayName,
        disabled: data.disabled ?? row.disabled,
        clearance: data.clearance ?? row.clearance,
        updatedAt: new Date(),
      })
      .where("id", "=", userId)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (data.roles) await writeRoles(trx, userId, data.roles);
    // A disabled user is signed out everywhere at once, and their API tokens end for good.
    if (updated.disabled && !row.disabled) {
      await trx.deleteFrom("sessions").where("userId", "=", userId).execute();
      await trx
        .updateTable("apiTokens")
        .set({ revokedAt: new Date() })
        .where("userId", "=", userId)
        .where("revokedAt", "is", null)
        .execute();
    }
    const after = presentUser(updated, data.roles ?? oldRoles);
    return { result: after, audit: { entity: "user", entityId: userId, action: "update", before, after } };
  });
}

/**
 * Makes sure the central office and the built-in administrator exist, and returns the
 * administrator as an actor. The CLI, which runs with access to the data itself, acts as
 * this user.
 */
export async function ensureBuiltinAdministrator(): Promise<Actor> {
  return db()
    .transaction()
    .execute(async (trx) => {
      // Two servers starting together on a new database would both create the central office:
      // the second waits here for the first's commit, then finds what it made.
      await sql`SELECT pg_advisory_xact_lock(hashtext('liaison.builtin-administrator'))`.execute(trx);
      let unit = await trx.selectFrom("units").selectAll().where("key", "=", "central").executeTakeFirst();
      unit ??= await trx
        .insertInto("units")
        .values({ kind: "central_office", key: "central", nameEn: "Central Office", nameZh: "中央办公室" })
        .returningAll()
        .executeTakeFirstOrThrow();
      let user = await trx.selectFrom("users").selectAll().where("builtin", "=", true).executeTakeFirst();
      user ??= await trx
        .insertInto("users")
        .values({ username: "admin", displayName: "Administrator", builtin: true, clearance: true })
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx
        .insertInto("userRoles")
        .values({ userId: user.id, unitId: unit.id, role: "administrator" })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return {
        userId: user.id,
        username: user.username,
        unitId: unit.id,
        roles: [{ unitId: unit.id, role: "administrator" as const }],
        clearance: true,
      };
    });
}
