import { type Kysely, sql } from "kysely";
import { matchKeys, personMatchKeys } from "../../core/merge/keys.ts";

/**
 * The registry as something the office keeps: every audit row names the registry record it
 * is about (so an organisation's or a person's history reads in one query, statuses and
 * positions included); merged records leave a pointer to the record that absorbed them; and
 * each record carries the folded keys its duplicates are found by.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE audit_log ADD COLUMN subject_kind text CHECK (subject_kind IN ('organisation', 'person'));
    ALTER TABLE audit_log ADD COLUMN subject_id integer;
    CREATE INDEX audit_log_subject ON audit_log (subject_kind, subject_id, id DESC) WHERE subject_kind IS NOT NULL;

    -- The rows written so far, from what they recorded; the log is append-only, so the
    -- guard steps aside for this one statement of the migration.
    ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
    UPDATE audit_log SET subject_kind = 'organisation', subject_id = entity_id::int
      WHERE entity IN ('organisation', 'relationship') AND entity_id ~ '^[0-9]{1,9}$';
    UPDATE audit_log SET subject_kind = 'person', subject_id = entity_id::int
      WHERE entity = 'person' AND entity_id ~ '^[0-9]{1,9}$';
    UPDATE audit_log SET subject_kind = 'organisation',
      subject_id = (COALESCE(after, before)->>'organisationId')::int
      WHERE entity IN ('organisation_status', 'organisation_congress') AND COALESCE(after, before)->>'organisationId' ~ '^[0-9]{1,9}$';
    UPDATE audit_log SET subject_kind = 'organisation',
      subject_id = (COALESCE(after, before)->>'fromOrganisationId')::int
      WHERE entity = 'partner_relation' AND COALESCE(after, before)->>'fromOrganisationId' ~ '^[0-9]{1,9}$';
    UPDATE audit_log SET subject_kind = 'person',
      subject_id = (COALESCE(after, before)->>'personId')::int
      WHERE entity IN ('position', 'person_contact') AND COALESCE(after, before)->>'personId' ~ '^[0-9]{1,9}$';
    ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;

    -- A merged record's id stays answerable: it points at the record that absorbed it.
    CREATE TABLE organisation_merges (
      merged_id integer PRIMARY KEY,
      survivor_id integer NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
      merged_name_en text NOT NULL,
      merged_name_zh text,
      -- The reference ids the merged record had: a reload of Party Facts does not bring it back.
      partyfacts_id integer,
      wikidata_id text,
      merged_by integer REFERENCES users(id),
      merged_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX organisation_merges_survivor ON organisation_merges (survivor_id);
    CREATE UNIQUE INDEX organisation_merges_partyfacts ON organisation_merges (partyfacts_id) WHERE partyfacts_id IS NOT NULL;
    CREATE TABLE person_merges (
      merged_id integer PRIMARY KEY,
      survivor_id integer NOT NULL REFERENCES people(id) ON DELETE CASCADE,
      merged_name_en text NOT NULL,
      merged_name_zh text,
      merged_by integer REFERENCES users(id),
      merged_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX person_merges_survivor ON person_merges (survivor_id);

    -- Folded names that two records of one partner (in one country) share.
    ALTER TABLE organisations ADD COLUMN match_keys text[] NOT NULL DEFAULT '{}';
    ALTER TABLE people ADD COLUMN match_keys text[] NOT NULL DEFAULT '{}';
    CREATE INDEX organisations_match_keys ON organisations USING gin (match_keys);
    -- The Wikidata id Party Facts gives a party even when another party holds it already:
    -- the source lists one party twice, and the two are merge candidates.
    ALTER TABLE organisations ADD COLUMN reference_wikidata_id text;
    UPDATE organisations SET reference_wikidata_id = wikidata_id WHERE wikidata_id IS NOT NULL;
    CREATE INDEX organisations_reference_wikidata ON organisations (reference_wikidata_id) WHERE reference_wikidata_id IS NOT NULL;

    -- The words of every Latin-script name, for correcting a misspelt search against the
    -- registry's own vocabulary; statement triggers add the words of new and changed names.
    -- (Matching typos against each record's names directly was slow at scale.)
    DROP INDEX organisations_search_latin;
    CREATE TABLE name_words (word text PRIMARY KEY);
    CREATE INDEX name_words_trigrams ON name_words USING gin (word gin_trgm_ops);
    CREATE FUNCTION name_words_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO name_words (word)
        SELECT DISTINCT w FROM new_rows, regexp_split_to_table(new_rows.search_latin, '[^[:alnum:]]+') AS w
        WHERE length(w) >= 3 AND w !~ '^[0-9]+$'
      ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $$;
    CREATE TRIGGER organisations_name_words_insert AFTER INSERT ON organisations
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION name_words_add();
    CREATE TRIGGER organisations_name_words_update AFTER UPDATE ON organisations
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION name_words_add();
    INSERT INTO name_words (word)
      SELECT DISTINCT w FROM organisations, regexp_split_to_table(search_latin, '[^[:alnum:]]+') AS w
      WHERE length(w) >= 3 AND w !~ '^[0-9]+$'
    ON CONFLICT DO NOTHING;

    -- Name searches rank exact and prefix matches from these, at any size of registry.
    CREATE INDEX organisations_name_en_prefix ON organisations (lower(name_en) text_pattern_ops);
    CREATE INDEX organisations_name_zh_prefix ON organisations (name_zh text_pattern_ops);
    CREATE INDEX people_name_en_prefix ON people (lower(name_en) text_pattern_ops);
    CREATE INDEX people_name_zh_prefix ON people (name_zh text_pattern_ops);

    -- Pairs a person looked at and found to be two records of two partners.
    CREATE TABLE duplicate_dismissals (
      record_kind text NOT NULL CHECK (record_kind IN ('organisation', 'person')),
      low_id integer NOT NULL,
      high_id integer NOT NULL,
      dismissed_by integer REFERENCES users(id),
      dismissed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (record_kind, low_id, high_id),
      CHECK (low_id < high_id)
    );
    CREATE INDEX people_match_keys ON people USING gin (match_keys);
  `.execute(db);
  await fillMatchKeys(db);
}

/** Computes the match keys of existing records (the folding is the application's). */
async function fillMatchKeys(db: Kysely<unknown>): Promise<void> {
  for (let after = 0; ; ) {
    const rows = await sql<{
      id: number;
      countryCode: string | null;
      names: Array<{ kind: string; value: string }>;
    }>`SELECT o.id, o.country_code AS "countryCode",
        COALESCE(json_agg(json_build_object('kind', n.kind, 'value', n.value)) FILTER (WHERE n.id IS NOT NULL), '[]') AS names
      FROM organisations o LEFT JOIN organisation_names n ON n.organisation_id = o.id
      WHERE o.id > ${after} GROUP BY o.id ORDER BY o.id LIMIT 2000`.execute(db);
    if (rows.rows.length === 0) break;
    const values = rows.rows.map((r) => sql`(${r.id}::int, ${matchKeys(r.names)}::text[])`);
    await sql`UPDATE organisations o SET match_keys = v.keys FROM (VALUES ${sql.join(values)}) AS v(id, keys) WHERE o.id = v.id`.execute(
      db,
    );
    after = rows.rows.at(-1)?.id ?? after;
  }
  for (let after = 0; ; ) {
    const rows = await sql<{
      id: number;
      countryCode: string | null;
      nameEn: string;
      nameZh: string | null;
      nameNative: string | null;
      aliases: string[];
    }>`SELECT id, country_code AS "countryCode", name_en AS "nameEn", name_zh AS "nameZh", name_native AS "nameNative", aliases
      FROM people WHERE id > ${after} ORDER BY id LIMIT 2000`.execute(db);
    if (rows.rows.length === 0) break;
    const values = rows.rows.map((r) => sql`(${r.id}::int, ${personMatchKeys(r)}::text[])`);
    await sql`UPDATE people p SET match_keys = v.keys FROM (VALUES ${sql.join(values)}) AS v(id, keys) WHERE p.id = v.id`.execute(db);
    after = rows.rows.at(-1)?.id ?? after;
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE duplicate_dismissals;
    DROP TRIGGER organisations_name_words_update ON organisations;
    DROP TRIGGER organisations_name_words_insert ON organisations;
    DROP FUNCTION name_words_add();
    DROP TABLE name_words;
    CREATE INDEX organisations_search_latin ON organisations USING gin (search_latin gin_trgm_ops);
    DROP INDEX people_name_zh_prefix;
    DROP INDEX people_name_en_prefix;
    DROP INDEX organisations_name_zh_prefix;
    DROP INDEX organisations_name_en_prefix;
    DROP INDEX organisations_reference_wikidata;
    ALTER TABLE organisations DROP COLUMN reference_wikidata_id;
    DROP INDEX people_match_keys;
    DROP INDEX organisations_match_keys;
    ALTER TABLE people DROP COLUMN match_keys;
    ALTER TABLE organisations DROP COLUMN match_keys;
    DROP TABLE person_merges;
    DROP TABLE organisation_merges;
    DROP INDEX audit_log_subject;
    ALTER TABLE audit_log DROP COLUMN subject_id;
    ALTER TABLE audit_log DROP COLUMN subject_kind;
  `.execute(db);
}
