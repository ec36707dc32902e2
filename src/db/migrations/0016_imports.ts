import { type Kysely, sql } from "kysely";

/**
 * Imports from an office's own spreadsheets: each import is a record (who, when, which file,
 * the mapping, the counts), every row it wrote is remembered by its key (so that the same
 * file imported again changes nothing, and a rerun after a crash completes it), the rows it
 * created carry its id (so that it can be undone), and mappings are kept by name for reuse.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE imports (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('organisations', 'people', 'engagements')),
      file_name text NOT NULL,
      file_hash text NOT NULL,
      file_size integer NOT NULL,
      format text NOT NULL,
      encoding text,
      sheet text,
      mapping jsonb NOT NULL,
      options jsonb NOT NULL DEFAULT '{}'::jsonb,
      status text NOT NULL CHECK (status IN ('running', 'done', 'interrupted', 'undone')),
      counts jsonb NOT NULL DEFAULT '{}'::jsonb,
      errors jsonb NOT NULL DEFAULT '[]'::jsonb,
      unit_id integer REFERENCES units(id) ON DELETE SET NULL,
      created_by integer REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      heartbeat_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    );
    CREATE INDEX imports_created ON imports (created_at DESC);
    CREATE TABLE import_rows (
      kind text NOT NULL,
      row_key text NOT NULL,
      import_id integer NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
      entity_id integer NOT NULL,
      created boolean NOT NULL,
      row_hash text NOT NULL,
      written jsonb NOT NULL,
      before jsonb,
      imported_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (kind, row_key)
    );
    CREATE INDEX import_rows_import ON import_rows (import_id);
    CREATE INDEX import_rows_entity ON import_rows (kind, entity_id);
    CREATE TABLE import_mappings (
      name text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 100),
      kind text NOT NULL,
      columns jsonb NOT NULL,
      updated_by integer REFERENCES users(id) ON DELETE SET NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    ALTER TABLE organisations ADD COLUMN import_id integer REFERENCES imports(id) ON DELETE SET NULL;
    CREATE INDEX organisations_import ON organisations (import_id) WHERE import_id IS NOT NULL;
    -- Imports look names up by key after every batch they write: a pending list of new keys
    -- (flushed only by a vacuum, which the embedded engine does not run on its own) would be
    -- read whole by each look-up.
    ALTER INDEX organisations_match_keys SET (fastupdate = off);
    ALTER INDEX people_match_keys SET (fastupdate = off);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE organisations DROP COLUMN import_id; DROP TABLE import_mappings, import_rows, imports;`.execute(db);
}
