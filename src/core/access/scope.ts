import { type Expression, type RawBuilder, sql } from "kysely";
import { type Actor, type Role, type RoleGrant, roleRank } from "../shared/actor.ts";
import { type Action, rolesAllowed } from "./policy.ts";

/** The actor's grants whose role allows the action. */
function grantsFor(actor: Actor, action: Action): RoleGrant[] {
  const allowed = rolesAllowed(action);
  return actor.roles.filter((g) => allowed.includes(g.role));
}

/**
 * True when the action reaches every unit for this actor without asking the database: an
 * administrator (the installation's role), or a grant resolved as covering every unit.
 */
export function reachesEveryUnit(actor: Actor, action: Action): boolean {
  return grantsFor(actor, action).some((g) => g.role === "administrator" || g.everyUnit === true);
}

/**
 * The SQL condition "the unit in `column` is one where the actor may take `action`": a unit
 * where the actor holds a role that allows it, or a unit below one where that role covers
 * sub-units. A role held elsewhere gives nothing here: a viewer in one bureau who is an
 * editor in another edits only in the other.
 */
export function unitAllows(actor: Actor, action: Action, column: Expression<number | null>): RawBuilder<boolean> {
  return grantsReach(grantsFor(actor, action), column);
}

/** SQL: the unit in `column` is reached by the actor's role `role` or a higher one. */
export function roleReaches(actor: Actor, role: Role, column: Expression<number | null>): RawBuilder<boolean> {
  return grantsReach(
    actor.roles.filter((g) => roleRank[g.role] >= roleRank[role]),
    column,
  );
}

/** SQL: the unit in `column` is reached by one of the grants (an administrator's reaches every unit). */
function grantsReach(grants: readonly RoleGrant[], column: Expression<number | null>): RawBuilder<boolean> {
  if (grants.some((g) => g.role === "administrator" || g.everyUnit === true)) return sql<boolean>`true`;
  if (grants.length === 0) return sql<boolean>`false`;
  const exact = [...new Set(grants.filter((g) => g.subunits === false).map((g) => g.unitId))];
  const roots = [...new Set(grants.filter((g) => g.subunits !== false).map((g) => g.unitId))];
  const ways: RawBuilder<boolean>[] = [];
  if (exact.length > 0) ways.push(sql<boolean>`${column} = ANY(${exact}::int[])`);
  if (roots.length > 0) {
    // ANY(ARRAY(…)) is worked out once per query (an InitPlan), and the planner can use an index on the column.
    ways.push(sql<boolean>`${column} = ANY(ARRAY(WITH RECURSIVE tree(id) AS (
      SELECT unnest(${roots}::int[]) UNION SELECT u.id FROM units u JOIN tree ON u.parent_id = tree.id) SELECT id FROM tree))`);
  }
  return ways.length === 1 ? (ways[0] as RawBuilder<boolean>) : sql<boolean>`(${sql.join(ways, sql` OR `)})`;
}

/** The records other units can share with a unit. */
export type ShareableEntity = "engagement" | "note";
