import { randomBytes } from "node:crypto";
import { actorForUser } from "../../src/core/auth/service.ts";
import { matchKeys } from "../../src/core/merge/keys.ts";
import type { Actor, Role } from "../../src/core/shared/actor.ts";
import { ensureBuiltinAdministrator } from "../../src/core/units/service.ts";
import { db } from "../../src/db/current.ts";

/** A short unique suffix for keys and names. */
export function unique(prefix = "t"): string {
  return `${prefix}${randomBytes(4).toString("hex")}`;
}

/** The built-in administrator (created on first use). */
export function administrator(): Promise<Actor> {
  return ensureBuiltinAdministrator();
}

/** A fresh bureau under the central office (named alike in both languages); its id. */
export async function freshUnit(nameEn = "Test bureau"): Promise<number> {
  const admin = await administrator();
  const unit = await db()
    .insertInto("units")
    .values({ parentId: admin.unitId, kind: "bureau", key: unique("u-"), nameEn, nameZh: nameEn })
    .returning("id")
    .executeTakeFirstOrThrow();
  return unit.id;
}

/** A fresh unit under the central office, and a user holding `role` in it. */
export async function actorInFreshUnit(role: Role = "editor"): Promise<Actor> {
  const admin = await administrator();
  const unit = await db()
    .insertInto("units")
    .values({ parentId: admin.unitId, kind: "bureau", key: unique("unit-"), nameEn: "Test bureau", nameZh: "测试局" })
    .returning("id")
    .executeTakeFirstOrThrow();
  return actorIn(unit.id, role);
}

/** A fresh user holding `role` in the central office (and so, for a coordinator, over every unit below it). */
export async function actorAtCentre(role: Role = "coordinator"): Promise<Actor> {
  return actorIn((await administrator()).unitId, role);
}

/** A fresh user holding `role` in a unit, as the server resolves them (their grants as they stand). */
export async function actorIn(unitId: number, role: Role, options: { clearance?: boolean } = {}): Promise<Actor> {
  const user = await db()
    .insertInto("users")
    .values({ username: unique("user."), displayName: "Test user", clearance: options.clearance ?? false })
    .returning(["id", "username"])
    .executeTakeFirstOrThrow();
  await db().insertInto("userRoles").values({ userId: user.id, unitId, role }).execute();
  return (await actorForUser(user.id)) as Actor;
}

/** A party in the registry with its names in Chinese and English (their match keys as the registry computes them); its id. */
export async function registryParty(nameEn: string, nameZh: string, countryCode: string): Promise<number> {
  const row = await db()
    .insertInto("organisations")
    .values({
      kind: "political_party",
      nameEn,
      nameZh,
      countryCode,
      matchKeys: matchKeys([
        { kind: "official", value: nameZh },
        { kind: "official", value: nameEn },
      ]),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db()
    .insertInto("organisationNames")
    .values([
      { organisationId: row.id, kind: "official", lang: "zh", value: nameZh, position: 0 },
      { organisationId: row.id, kind: "official", lang: "en", value: nameEn, position: 1 },
    ])
    .execute();
  return row.id;
}

/** A bare organisation of a kind in a country (no names beyond the English one), inserted directly for figures' fixtures; its id. */
export async function insertOrganisation(kind: string, countryCode: string, nameEn = unique("Partner ")): Promise<number> {
  const row = await db().insertInto("organisations").values({ kind, countryCode, nameEn }).returning("id").executeTakeFirstOrThrow();
  return row.id;
}
