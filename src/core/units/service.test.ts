import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorInFreshUnit, administrator, unique } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { can, permissions } from "../access/policy.ts";
import type { roles } from "../shared/actor.ts";
import { createUnit, createUser, ensureBuiltinAdministrator, listUnits, listUsers, updateUnit, updateUser } from "./service.ts";

let database: Database;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

describe("units and users", () => {
  it("creates the built-in administrator once", async () => {
    const first = await ensureBuiltinAdministrator();
    const second = await ensureBuiltinAdministrator();
    expect(second).toEqual(first);
    const admins = await db().selectFrom("users").select("id").where("builtin", "=", true).execute();
    expect(admins).toHaveLength(1);
  });

  it("builds a unit tree and refuses cycles", async () => {
    const admin = await administrator();
    const bureau = await createUnit(admin, {
      parentId: admin.unitId,
      kind: "bureau",
      key: unique("asia-"),
      nameEn: "Asia bureau",
      nameZh: "亚洲局",
    });
    const committee = await createUnit(admin, {
      parentId: bureau.id,
      kind: "local_committee",
      key: unique("yn-"),
      nameEn: "Yunnan committee",
      nameZh: "云南省委",
    });
    expect(committee.parentId).toBe(bureau.id);
    await expect(updateUnit(admin, bureau.id, { parentId: committee.id })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(updateUnit(admin, bureau.id, { parentId: bureau.id })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(
      createUnit(admin, { parentId: 9999999, kind: "bureau", key: unique("x-"), nameEn: "X", nameZh: "X" }),
    ).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    await expect(createUnit(admin, { kind: "bureau", key: bureau.key, nameEn: "X", nameZh: "X" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    const renamed = await updateUnit(admin, committee.id, { nameEn: "Yunnan provincial committee" });
    expect(renamed.name).toEqual({ en: "Yunnan provincial committee", zh: "云南省委" });
    expect((await listUnits(admin)).map((u) => u.id)).toEqual(expect.arrayContaining([bureau.id, committee.id]));
  });

  it("creates users with roles in several units and protects the built-in administrator", async () => {
    const admin = await administrator();
    const other = await actorInFreshUnit("viewer");
    const username = unique("desk.");
    const user = await createUser(admin, {
      username,
      displayName: "Desk officer",
      roles: [
        { unitId: admin.unitId, role: "viewer" },
        { unitId: other.unitId, role: "editor" },
      ],
    });
    expect(user.roles).toHaveLength(2);
    await expect(createUser(admin, { username, displayName: "Again" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(
      createUser(admin, { username: unique("u."), displayName: "X", roles: [{ unitId: 99999999, role: "viewer" }] }),
    ).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: { fields: [{ path: "roles.0.unitId" }] },
    });
    const disabled = await updateUser(admin, user.id, { disabled: true, roles: [{ unitId: other.unitId, role: "viewer" }] });
    expect(disabled).toMatchObject({ disabled: true, roles: [{ unitId: other.unitId, role: "viewer" }] });
    await expect(updateUser(admin, admin.userId, { disabled: true })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await listUsers(admin)).map((u) => u.username)).toContain(username);
    await expect(listUsers(other)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(createUnit(other, { kind: "bureau", key: unique("k-"), nameEn: "X", nameZh: "X" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});

describe("the permission table", () => {
  it("denies by default and gives administrators every action", () => {
    const actorWith = (role: (typeof roles)[number]) => ({ userId: 1, username: "x", unitId: 1, roles: [{ unitId: 1, role }] });
    for (const action of Object.keys(permissions) as Array<keyof typeof permissions>) {
      expect(can(actorWith("administrator"), action)).toBe(true);
      expect(can(undefined, action)).toBe(false);
      expect(can({ userId: 1, username: "x", unitId: 1, roles: [] }, action)).toBe(false);
    }
    expect(can(actorWith("viewer"), "registry.write")).toBe(false);
    expect(can(actorWith("editor"), "registry.write")).toBe(true);
    expect(can(actorWith("editor"), "registry.delete")).toBe(false);
    expect(can(actorWith("coordinator"), "audit.read")).toBe(true);
    expect(can(actorWith("viewer"), "no.such.action" as keyof typeof permissions)).toBe(false);
  });
});
