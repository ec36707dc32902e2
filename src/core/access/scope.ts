import { type Expression, type SqlBool, sql } from "kysely";
import type { Actor } from "../shared/actor.ts";

/** True when the actor's roles reach every unit: administrators and coordinators. */
export function seesAllUnits(actor: Actor): boolean {
  return actor.roles.some((r) => r.role === "administrator" || r.role === "coordinator");
}

/**
 * The SQL condition "this unit id is within the actor's scope": the units where the
 * actor holds a role and all their sub-units. Meant to be put into the query itself,
 * so that out-of-scope rows never leave the database.
 */
export function unitInScope(actor: Actor, unitIdColumn: Expression<number | null>): Expression<SqlBool> {
  if (seesAllUnits(actor)) return sql<SqlBool>`true`;
  const roots = [...new Set(actor.roles.map((r) => r.unitId))];
  if (roots.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`${unitIdColumn} IN (
    WITH RECURSIVE scope(id) AS (
      SELECT id FROM units WHERE id IN (${sql.join(roots)})
      UNION SELECT u.id FROM units u JOIN scope s ON u.parent_id = s.id
    ) SELECT id FROM scope)`;
}
