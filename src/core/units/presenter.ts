import type { Selectable } from "kysely";
import type { UnitTable, UserRoleTable, UserTable } from "../../db/types.ts";
import type { UnitOutput, UserOutput } from "./schema.ts";

/** Shapes a unit row for output. */
export function presentUnit(row: Selectable<UnitTable>): UnitOutput {
  return {
    id: row.id,
    parentId: row.parentId,
    kind: row.kind,
    key: row.key,
    name: { en: row.nameEn, zh: row.nameZh },
    demo: row.demo,
    approvalLevels: row.approvalLevels,
  };
}

/** Shapes a user and their roles for output. */
export function presentUser(
  row: Selectable<UserTable>,
  roles: ReadonlyArray<Pick<Selectable<UserRoleTable>, "unitId" | "role"> & { subunits?: boolean }>,
): UserOutput {
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    builtin: row.builtin,
    disabled: row.disabled,
    clearance: row.clearance,
    roles: roles.map((r) => ({ unitId: r.unitId, role: r.role, subunits: r.subunits ?? true })),
  };
}
