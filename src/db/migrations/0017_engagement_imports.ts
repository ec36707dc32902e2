import { type Kysely, sql } from "kysely";

/**
 * Engagements imported from an office's registers (visits, talks, letters) carry the import
 * that created them, so that an import can be undone as a whole.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE engagements ADD COLUMN import_id integer REFERENCES imports(id) ON DELETE SET NULL;
    CREATE INDEX engagements_import ON engagements (import_id) WHERE import_id IS NOT NULL;
    -- A row's Chinese name is looked up among the pending suggestions too (most of the bundled
    -- registry's Chinese names are suggestions until confirmed).
    CREATE INDEX name_suggestions_zh ON name_suggestions (zh) WHERE status = 'pending';
    CREATE INDEX name_suggestions_short ON name_suggestions (short) WHERE status = 'pending';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX name_suggestions_zh; DROP INDEX name_suggestions_short; ALTER TABLE engagements DROP COLUMN import_id;`.execute(db);
}
