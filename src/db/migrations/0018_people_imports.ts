import { type Kysely, sql } from "kysely";

/** People imported from an office's contact sheets carry the import that created them, so that an import can be undone as a whole. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE people ADD COLUMN import_id integer REFERENCES imports(id) ON DELETE SET NULL;
    CREATE INDEX people_import ON people (import_id) WHERE import_id IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE people DROP COLUMN import_id;`.execute(db);
}
