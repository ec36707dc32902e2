import { sql } from "kysely";
import { db } from "../../db/current.ts";
import type { DB } from "../../db/types.ts";
import { authorize } from "../access/policy.ts";
import type { Actor } from "../shared/actor.ts";
import { auditedDownload, type ChunkWriter, type Producer } from "../shared/download.ts";
import { AppError } from "../shared/errors.ts";

/** The tables an export contains, in an order that can be loaded back (parents first). */
export const exportedTables = {
  regions: ["code"],
  countries: ["code"],
  countryGroups: ["id"],
  countryGroupMembers: ["group_id", "country_code"],
  units: ["id"],
  users: ["id"],
  userRoles: ["user_id", "unit_id", "role"],
  tags: ["id"],
  topics: ["id"],
  organisations: ["id"],
  organisationNames: ["id"],
  organisationTags: ["organisation_id", "tag_id"],
  organisationStatuses: ["id"],
  people: ["id"],
  positions: ["id"],
  personContacts: ["id"],
  relationships: ["organisation_id"],
  partnerRelations: ["id"],
  programmes: ["id"],
  mechanisms: ["id"],
  mechanismMembers: ["id"],
  mechanismChairs: ["id"],
  engagements: ["id"],
  engagementUnits: ["engagement_id", "unit_id"],
  engagementParticipants: ["id"],
  engagementTopics: ["engagement_id", "topic_id"],
  engagementAttachments: ["id"],
  engagementApprovalSteps: ["id"],
  notes: ["id"],
  recordShares: ["entity", "record_id", "unit_id"],
} as const satisfies Partial<Record<keyof DB, readonly string[]>>;

/** Columns that never leave the database: secrets. Sessions, API tokens and sign-in failures are not exported at all. */
const secretColumns: Partial<Record<keyof typeof exportedTables, readonly string[]>> = { users: ["passwordHash"] };

const pageSize = 5000;

/**
 * Checks that the actor may export everything (administrators with clearance), audits the
 * request, then returns the export: it writes one JSON document, table by table and page by
 * page, so that a large registry never sits in memory at once. Checked before anything is
 * written, so a refusal is a clean 403, not a cut-off download. No secret leaves: password
 * hashes, sessions and tokens are not in it.
 */
export async function prepareFullExport(
  actor: Actor,
  progress: (table: string, rows: number) => void = () => {},
): Promise<Producer<Record<string, number>>> {
  authorize(actor, "data.export");
  // A full export holds every record, restricted ones too.
  if (!actor.clearance) throw new AppError("FORBIDDEN", "A full export includes restricted records: it needs clearance.");
  return auditedDownload(
    actor,
    { action: "export", asked: { tables: Object.keys(exportedTables) } },
    (write) => writeFullExport(write, progress),
    (counts) => counts,
  );
}

async function writeFullExport(write: ChunkWriter, progress: (table: string, rows: number) => void): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await write(`{"format":"liaison-export","version":1,"exportedAt":${JSON.stringify(new Date().toISOString())},"tables":{`);
  for (const [index, [table, key]] of (
    Object.entries(exportedTables) as Array<[keyof typeof exportedTables, readonly string[]]>
  ).entries()) {
    await write(`${index === 0 ? "" : ","}${JSON.stringify(table)}:[`);
    let written = 0;
    for (let offset = 0; ; offset += pageSize) {
      const rows = await db()
        .selectFrom(table)
        .selectAll()
        .orderBy(sql.raw(key.join(", ")))
        .limit(pageSize)
        .offset(offset)
        .execute();
      for (const row of rows) {
        // The search vector is derived from the search text; a reload recomputes it.
        const { searchVector: _derived, ...data } = row as Record<string, unknown>;
        for (const column of secretColumns[table] ?? []) delete data[column];
        await write(`${written === 0 ? "" : ","}${JSON.stringify(data)}`);
        written++;
      }
      progress(table, written);
      if (rows.length < pageSize) break;
    }
    await write("]");
    counts[table] = written;
  }
  await write("}}\n");
  return counts;
}
