import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { authorize } from "../access/policy.ts";
import type { Actor } from "../shared/actor.ts";
import { type Page, parseInput } from "../shared/schema.ts";
import { type AuditEntryOutput, auditListQuery } from "./schema.ts";

const mentionsRestricted = sql`(a.before ->> 'classification' = 'restricted' OR a.after ->> 'classification' = 'restricted')`;

/** Browses the audit log, newest first, filtered by entity, record, actor, action and time. */
export async function listAuditEntries(actor: Actor, input: unknown = {}): Promise<Page<AuditEntryOutput>> {
  authorize(actor, "audit.read");
  const query = parseInput(auditListQuery, input);
  let q = db()
    .selectFrom("auditLog as a")
    .leftJoin("users as u", "u.id", "a.actorId")
    .select(["a.id", "a.at", "a.actorId", "u.username", "a.unitId", "a.entity", "a.entityId", "a.action"])
    // What a restricted record said stays with the cleared: others see that it changed, not how.
    .select(
      actor.clearance
        ? [sql<Record<string, unknown> | null>`a.before`.as("before"), sql<Record<string, unknown> | null>`a.after`.as("after")]
        : [
            sql<Record<string, unknown> | null>`CASE WHEN ${mentionsRestricted} THEN NULL ELSE a.before END`.as("before"),
            sql<Record<string, unknown> | null>`CASE WHEN ${mentionsRestricted} THEN NULL ELSE a.after END`.as("after"),
          ],
    )
    .select(sql<number>`count(*) OVER ()`.as("total"));
  if (query.entity) q = q.where("a.entity", "=", query.entity);
  if (query.entityId) q = q.where("a.entityId", "=", query.entityId);
  if (query.actorId) q = q.where("a.actorId", "=", query.actorId);
  if (query.action) q = q.where("a.action", "=", query.action);
  if (query.from) q = q.where("a.at", ">=", new Date(query.from));
  if (query.to) q = q.where("a.at", "<", new Date(query.to));
  const rows = await q
    .orderBy("a.id", "desc")
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize)
    .execute();
  // Past the last page no row carries the total: count apart.
  const total =
    rows[0]?.total ??
    (query.page > 1 ? (await q.clearSelect().select(sql<number>`count(*)::int`.as("total")).executeTakeFirstOrThrow()).total : 0);
  return {
    items: rows.map((r) => ({
      id: r.id,
      at: new Date(r.at).toISOString(),
      actor: r.actorId && r.username ? { id: r.actorId, username: r.username } : null,
      unitId: r.unitId,
      entity: r.entity,
      entityId: r.entityId,
      action: r.action,
      before: r.before,
      after: r.after,
    })),
    total,
    totalExact: true,
    page: query.page,
    pageSize: query.pageSize,
  };
}
