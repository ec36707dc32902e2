import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import type { Actor } from "../shared/actor.ts";
import { notFound } from "../shared/errors.ts";
import { id as idSchema, type Page, parseInput } from "../shared/schema.ts";
import { describeChanges, describeValue } from "./presenter.ts";
import { type HistoryEntry, historyQuery } from "./schema.ts";

/**
 * The history of an organisation or a person, newest first: who changed what and when —
 * names, statuses, our relationship, relations, positions, contact details (where the
 * reader may see them), accepted Chinese names, merges. A merged record's id keeps its
 * history, ending with the merge.
 */
export async function getRecordHistory(
  actor: Actor,
  kind: "organisation" | "person",
  recordId: number,
  input: unknown = {},
): Promise<Page<HistoryEntry>> {
  authorize(actor, "registry.read");
  const id = parseInput(idSchema, recordId);
  const query = parseInput(historyQuery, input);
  const table = kind === "organisation" ? "organisations" : "people";
  const merges = kind === "organisation" ? "organisationMerges" : "personMerges";
  const exists =
    (await db().selectFrom(table).select("id").where("id", "=", id).executeTakeFirst()) ??
    (await db().selectFrom(merges).select("mergedId as id").where("mergedId", "=", id).executeTakeFirst());
  if (!exists) throw notFound(kind, id);
  const rows = await forActor(actor)
    .recordHistory(db(), kind, id)
    .leftJoin("users as u", "u.id", "a.actorId")
    .leftJoin("units as un", "un.id", "a.unitId")
    .select([
      "a.id",
      "a.at",
      "a.actorId",
      "u.username",
      "a.unitId",
      "un.nameEn as unitNameEn",
      "un.nameZh as unitNameZh",
      "a.entity",
      "a.action",
      "a.before",
      "a.after",
      sql<number>`count(*) OVER ()`.as("total"),
    ])
    .orderBy("a.id", "desc")
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize)
    .execute();
  return {
    items: rows.map((r) => ({
      id: Number(r.id),
      at: new Date(r.at).toISOString(),
      actor: r.actorId && r.username ? { id: r.actorId, username: r.username } : null,
      unit: r.unitId ? { id: r.unitId, name: { en: r.unitNameEn ?? "", zh: r.unitNameZh ?? "" } } : null,
      entity: r.entity,
      action: r.action,
      changes: changesOf(r.action, r.before, r.after),
    })),
    total: Number(rows[0]?.total ?? 0),
    totalExact: true,
    page: query.page,
    pageSize: query.pageSize,
  };
}

/** What a row changed; a merge recorded both records whole, so it says which record went where instead. */
function changesOf(action: string, before: unknown, after: unknown): HistoryEntry["changes"] {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  if (action === "merge") {
    const merged = (b.merged ?? {}) as { id?: number; name?: unknown };
    return [{ field: "merged", before: `${describeValue(merged.name) ?? ""} (${merged.id ?? a.mergedId})`, after: null }];
  }
  if (action === "merged_into") return [{ field: "survivor", before: null, after: `${describeValue(a.name) ?? ""} (${a.survivorId})` }];
  return describeChanges(before, after);
}
