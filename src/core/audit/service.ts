import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { type DataContext, forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import type { Actor } from "../shared/actor.ts";
import { csvLine } from "../shared/csv.ts";
import { auditedDownload, type ChunkWriter, type Producer } from "../shared/download.ts";
import { type Page, parseInput } from "../shared/schema.ts";
import { type AuditEntryOutput, type AuditFilters, auditExportQuery, auditListQuery } from "./schema.ts";

/** The audit rows the actor may read that match the filters, with what a restricted record said kept from the uncleared. */
function auditRows(scope: DataContext, filters: AuditFilters) {
  let q = scope
    .auditEntries(db())
    .leftJoin("users as u", "u.id", "a.actorId")
    .select(["a.id", "a.at", "a.actorId", "u.username", "a.unitId", "a.entity", "a.action"])
    // What a restricted record said stays with the cleared: others see that one changed, not which or how.
    .select(
      scope.actor.clearance
        ? [
            sql<string | null>`a.entity_id`.as("entityId"),
            sql<Record<string, unknown> | null>`a.before`.as("before"),
            sql<Record<string, unknown> | null>`a.after`.as("after"),
          ]
        : [
            sql<string | null>`CASE WHEN a.restricted THEN NULL ELSE a.entity_id END`.as("entityId"),
            sql<Record<string, unknown> | null>`CASE WHEN a.restricted THEN NULL ELSE a.before END`.as("before"),
            sql<Record<string, unknown> | null>`CASE WHEN a.restricted THEN NULL ELSE a.after END`.as("after"),
          ],
    );
  if (filters.entity) q = q.where("a.entity", "=", filters.entity);
  if (filters.entityId) {
    // Looking a restricted record's history up by its id would tell the uncleared it exists.
    q = q.where("a.entityId", "=", filters.entityId);
    if (!scope.actor.clearance) q = q.where("a.restricted", "=", false);
  }
  if (filters.actorId) q = q.where("a.actorId", "=", filters.actorId);
  if (filters.action) q = q.where("a.action", "=", filters.action);
  if (filters.from) q = q.where("a.at", ">=", new Date(filters.from));
  if (filters.to) q = q.where("a.at", "<", new Date(filters.to));
  return q;
}

/** Browses the audit log, newest first, filtered by entity, record, actor, action and time. */
export async function listAuditEntries(actor: Actor, input: unknown = {}): Promise<Page<AuditEntryOutput>> {
  authorize(actor, "audit.read");
  const query = parseInput(auditListQuery, input);
  const q = auditRows(forActor(actor), query);
  const rows = await q
    .select(sql<number>`count(*) OVER ()`.as("total"))
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

const auditHeader = ["id", "at", "actor_id", "actor", "unit_id", "entity", "entity_id", "action", "before", "after"];
const auditBatch = 5000;

/**
 * The audit log as CSV (administrators): the same filters as the list, oldest first, written
 * in batches so that a long log never sits in memory. The export is itself audited.
 */
export async function prepareAuditCsv(actor: Actor, input: unknown = {}): Promise<Producer<number>> {
  authorize(actor, "audit.export");
  const filters = parseInput(auditExportQuery, input);
  const scope = forActor(actor);
  const produce = async (write: ChunkWriter) => {
    await write(`\uFEFF${csvLine(auditHeader)}`);
    let after = 0;
    let rows = 0;
    for (;;) {
      const page = await auditRows(scope, filters).where("a.id", ">", after).orderBy("a.id").limit(auditBatch).execute();
      for (const r of page) {
        await write(
          csvLine([
            r.id,
            new Date(r.at).toISOString(),
            r.actorId,
            r.username,
            r.unitId,
            r.entity,
            r.entityId,
            r.action,
            r.before === null ? null : JSON.stringify(r.before),
            r.after === null ? null : JSON.stringify(r.after),
          ]),
        );
      }
      rows += page.length;
      const last = page.at(-1);
      if (!last || page.length < auditBatch) return rows;
      after = Number(last.id);
    }
  };
  return auditedDownload(actor, { action: "export_audit_csv", asked: { filters } }, produce, (rows) => ({ rows }));
}
