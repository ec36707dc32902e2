import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { forActor } from "../access/context.ts";
import { authorize } from "../access/policy.ts";
import type { Actor } from "../shared/actor.ts";
import { csvLine } from "../shared/csv.ts";
import { auditedDownload, type ChunkWriter, type Producer } from "../shared/download.ts";
import { parseInput } from "../shared/schema.ts";
import { type EngagementFilters, engagementExportQuery } from "./schema.ts";
import { engagementColumns, engagementFilter } from "./store.ts";

const header = [
  "id",
  "type",
  "direction",
  "subtype",
  "status",
  "approval",
  "classification",
  "start_date",
  "end_date",
  "title_en",
  "title_zh",
  "country_code",
  "country_en",
  "country_zh",
  "city",
  "lead_unit_en",
  "lead_unit_zh",
  "participants",
];

const batch = 2000;

/**
 * Checks the actor and the filters, then returns the export of the engagements the list's
 * filters match, as CSV (UTF-8 with a byte-order mark, so that Excel reads the Chinese),
 * oldest first: only what the actor may see, exactly as the list shows it. The export is
 * audited with its filters and row count.
 */
export async function prepareEngagementsCsv(actor: Actor, input: unknown): Promise<Producer<number>> {
  authorize(actor, "engagements.export");
  const filters = parseInput(engagementExportQuery, input);
  return auditedDownload(
    actor,
    { action: "export_engagements_csv", asked: { filters } },
    (write) => writeEngagementsCsv(actor, filters, write),
    (rows) => ({ rows }),
  );
}

async function writeEngagementsCsv(actor: Actor, filters: EngagementFilters, write: ChunkWriter): Promise<number> {
  await write(`\uFEFF${csvLine(header)}`);
  let after: { date: string; id: number } | null = null;
  let rows = 0;
  for (;;) {
    let q = engagementColumns(forActor(actor), db()).where(engagementFilter(filters));
    if (after) q = q.where(sql<boolean>`(e.start_date, e.id) > (${after.date}::date, ${after.id})`);
    const page = await q.orderBy("e.startDate").orderBy("e.id").limit(batch).execute();
    for (const r of page) {
      await write(
        csvLine([
          r.id,
          r.type,
          r.direction,
          r.subtype,
          r.status,
          r.approval,
          r.classification,
          r.startDate,
          r.endDate,
          r.titleEn,
          r.titleZh,
          r.countryCode,
          r.countryNameEn,
          r.countryNameZh,
          r.city,
          r.unitNameEn,
          r.unitNameZh,
          r.participantCount ?? 0,
        ]),
      );
    }
    rows += page.length;
    const last = page.at(-1);
    if (!last || page.length < batch) break;
    after = { date: last.startDate, id: last.id };
  }
  return rows;
}
