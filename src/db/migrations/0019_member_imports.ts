import { type Kysely, sql } from "kysely";

/**
 * Lists of a mechanism's members come in as imports too: the imports table takes the kind, and
 * a membership an import created carries its id, so that the import can be undone as a whole.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
    ALTER TABLE imports ADD CONSTRAINT imports_kind_check CHECK (kind IN ('organisations', 'people', 'engagements', 'members'));
    ALTER TABLE mechanism_members ADD COLUMN import_id integer REFERENCES imports(id) ON DELETE SET NULL;
    CREATE INDEX mechanism_members_import ON mechanism_members (import_id) WHERE import_id IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE mechanism_members DROP COLUMN import_id;
    DELETE FROM imports WHERE kind = 'members';
    ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
    ALTER TABLE imports ADD CONSTRAINT imports_kind_check CHECK (kind IN ('organisations', 'people', 'engagements'));
  `.execute(db);
}
