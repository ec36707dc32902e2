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

/** The records other units can share with a unit. */
export type ShareableEntity = "engagement" | "note";

/**
 * "The actor may read this owned record": it is not restricted (or the actor is cleared),
 * and its owning unit is within the actor's scope, or it was shared with a unit that is.
 * `alsoVisibleWhen` adds another way in (an engagement's co-units).
 */
export function ownedRecordVisible(
  actor: Actor,
  record: { entity: ShareableEntity; alias: string; unitColumn: string; alsoVisibleWhen?: Expression<SqlBool> },
): Expression<SqlBool> {
  const clearance = actor.clearance ? sql<SqlBool>`true` : sql<SqlBool>`${sql.ref(`${record.alias}.classification`)} <> 'restricted'`;
  if (seesAllUnits(actor)) return clearance;
  const shared = sql<SqlBool>`EXISTS (SELECT 1 FROM record_shares rs WHERE rs.entity = ${record.entity}
    AND rs.record_id = ${sql.ref(`${record.alias}.id`)} AND ${unitInScope(actor, sql.ref<number | null>("rs.unit_id"))})`;
  const ways = [unitInScope(actor, sql.ref<number | null>(`${record.alias}.${record.unitColumn}`)), shared];
  if (record.alsoVisibleWhen) ways.push(record.alsoVisibleWhen);
  return sql<SqlBool>`(${clearance} AND (${sql.join(ways, sql` OR `)}))`;
}

/** "The actor may change this owned record": its owning unit is within the actor's scope (sharing gives reading only). */
export function ownedRecordEditable(actor: Actor, alias: string, unitColumn: string): Expression<SqlBool> {
  return unitInScope(actor, sql.ref<number | null>(`${alias}.${unitColumn}`));
}
