import { type Kysely, sql } from "kysely";
import { latinSearchText } from "../../core/search/text.ts";

/**
 * Chinese names for every partner: where each name came from and whether a person confirmed
 * it; the engine's suggestions with how they were made, awaiting review; the displayed
 * Chinese name's status (confirmed, or a suggestion shown until one is); and settings an
 * administrator keeps (whether suggestions are shown at all).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE organisation_names ADD COLUMN source text NOT NULL DEFAULT 'user'
      CHECK (source IN ('user', 'partyfacts', 'reviewed', 'import', 'merge'));
    UPDATE organisation_names n SET source = 'partyfacts'
      FROM organisations o WHERE o.id = n.organisation_id AND o.source = 'partyfacts';
    ALTER TABLE organisations ADD COLUMN name_zh_status text
      CHECK (name_zh_status IN ('confirmed', 'suggested'));
    UPDATE organisations SET name_zh_status = 'confirmed' WHERE name_zh IS NOT NULL;

    CREATE TABLE name_suggestions (
      organisation_id integer PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
      zh text NOT NULL,
      short text,
      confidence real NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
      method text NOT NULL CHECK (method IN ('known', 'glossary', 'mixed', 'transliteration')),
      transliterated boolean NOT NULL,
      steps jsonb NOT NULL,
      -- What the suggestion was made from (its English names and country): a review of an
      -- older basis is refused, since the organisation changed since.
      basis text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
      decided_by integer REFERENCES users(id),
      decided_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX name_suggestions_pending ON name_suggestions (status, confidence DESC);

    CREATE TABLE settings (
      key text PRIMARY KEY,
      value jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO settings (key, value) VALUES ('names.showSuggested', 'true');

    -- Search that forgives: every Latin-script name, folded, for trigram matching of typos;
    -- and the party's vote share (Party Facts), which breaks ties between parties of one name.
    ALTER TABLE organisations ADD COLUMN search_latin text NOT NULL DEFAULT '';
    ALTER TABLE organisations ADD COLUMN vote_share real;
    CREATE INDEX organisations_search_latin ON organisations USING gin (search_latin gin_trgm_ops);
    CREATE INDEX organisation_names_value_lower ON organisation_names (lower(value));
  `.execute(db);
  // The folded Latin names of existing organisations (the folding is the application's).
  for (let after = 0; ; ) {
    const rows = await sql<{ id: number; names: string[] }>`SELECT o.id, array_agg(n.value) AS names FROM organisations o
      JOIN organisation_names n ON n.organisation_id = o.id WHERE o.id > ${after} GROUP BY o.id ORDER BY o.id LIMIT 2000`.execute(db);
    if (rows.rows.length === 0) break;
    const values = rows.rows.map((r) => sql`(${r.id}::int, ${latinSearchText(r.names)}::text)`);
    await sql`UPDATE organisations o SET search_latin = v.text FROM (VALUES ${sql.join(values)}) AS v(id, text) WHERE o.id = v.id`.execute(
      db,
    );
    after = rows.rows.at(-1)?.id ?? after;
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX organisation_names_value_lower;
    DROP INDEX organisations_search_latin;
    ALTER TABLE organisations DROP COLUMN vote_share;
    ALTER TABLE organisations DROP COLUMN search_latin;
    DROP TABLE settings;
    DROP TABLE name_suggestions;
    ALTER TABLE organisations DROP COLUMN name_zh_status;
    ALTER TABLE organisation_names DROP COLUMN source;
  `.execute(db);
}
