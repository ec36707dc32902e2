import { sql } from "kysely";
import { db } from "../../db/current.ts";
import { authorize } from "../access/policy.ts";
import { camelOf, columnsOf, lastMigration, primaryKeyOf, tablesInLoadOrder } from "../backup/service.ts";
import type { Actor } from "../shared/actor.ts";
import { auditedDownload, type ChunkWriter, type Producer } from "../shared/download.ts";
import { AppError } from "../shared/errors.ts";

/**
 * What an export leaves out: secrets (sessions, API tokens, calendar feeds' secrets), sign-in
 * failures, and the health probe; and the password hashes of users. Everything else is in it.
 */
const leftOutTables = new Set(["sessions", "api_tokens", "login_failures", "calendar_feeds", "health_probe", "rate_limit_windows"]);
const secretColumns: Record<string, readonly string[]> = { users: ["password_hash"] };

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
    { action: "export", asked: { tables: "all but secrets" } },
    (write) => writeFullExport(write, progress),
    (counts) => counts,
  );
}

/**
 * Writes every table but the secret ones, parents first (the order a restore loads them in),
 * page by page in primary-key order, with the columns named as the API names them (camelCase).
 * Derived columns (search vectors) are left out; a restore recomputes them.
 */
async function writeFullExport(write: ChunkWriter, progress: (table: string, rows: number) => void): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const migration = await lastMigration(db());
  await write(
    `{"format":"liaison-export","version":1,"migration":${JSON.stringify(migration)},"exportedAt":${JSON.stringify(new Date().toISOString())},"tables":{`,
  );
  const tables = (await tablesInLoadOrder(db())).filter((t) => !leftOutTables.has(t));
  for (const [index, table] of tables.entries()) {
    const dropped = [...(await columnsOf(db(), table)).filter((c) => c.generated).map((c) => c.name), ...(secretColumns[table] ?? [])];
    const key = await primaryKeyOf(db(), table);
    const order = key.length ? sql.join(key.map((k) => sql.ref(`t.${k}`))) : sql`to_jsonb(t)::text`;
    const name = camelOf(table);
    await write(`${index === 0 ? "" : ","}${JSON.stringify(name)}:[`);
    let written = 0;
    for (let offset = 0; ; offset += pageSize) {
      const page = await sql<{ row: Record<string, unknown> }>`SELECT to_jsonb(t) - ${dropped}::text[] AS row
        FROM ${sql.table(table)} t ORDER BY ${order} LIMIT ${pageSize} OFFSET ${offset}`.execute(db());
      for (const { row } of page.rows) {
        const data = Object.fromEntries(Object.entries(row).map(([k, v]) => [camelOf(k), v]));
        await write(`${written === 0 ? "" : ","}${JSON.stringify(data)}`);
        written++;
      }
      progress(name, written);
      if (page.rows.length < pageSize) break;
    }
    await write("]");
    counts[name] = written;
  }
  await write("}}\n");
  return counts;
}
