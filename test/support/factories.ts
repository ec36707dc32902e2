import { randomBytes } from "node:crypto";
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
  const user = await db()
    .insertInto("users")
    .values({ username: unique("user."), displayName: "Test user" })
    .returning(["id", "username"])
    .executeTakeFirstOrThrow();
  await db().insertInto("userRoles").values({ userId: user.id, unitId: unit.id, role }).execute();
  return { userId: user.id, username: user.username, unitId: unit.id, roles: [{ unitId: unit.id, role }] };
}
