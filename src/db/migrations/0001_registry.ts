import { type Kysely, sql } from "kysely";

/** The shared registry: geography, units and users, organisations, people, relationships, audit. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
  await sql`
    CREATE TABLE regions (
      code text PRIMARY KEY,
      parent_code text REFERENCES regions(code),
      level text NOT NULL CHECK (level IN ('world', 'region', 'subregion', 'intermediate')),
      name_en text NOT NULL,
      name_zh text NOT NULL
    );
    CREATE TABLE countries (
      code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9]{1,3}$'),
      iso2 text UNIQUE,
      numeric_code text,
      name_en text NOT NULL,
      name_zh text NOT NULL,
      official_name_en text,
      region_code text REFERENCES regions(code),
      subregion_code text REFERENCES regions(code),
      historical boolean NOT NULL DEFAULT false,
      valid_from integer,
      valid_to integer,
      successor_code text REFERENCES countries(code),
      note text,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX countries_region ON countries (region_code);
    CREATE INDEX countries_subregion ON countries (subregion_code);
    CREATE TABLE country_groups (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      key text NOT NULL UNIQUE,
      name_en text NOT NULL,
      name_zh text NOT NULL,
      description text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE country_group_members (
      group_id integer NOT NULL REFERENCES country_groups(id) ON DELETE CASCADE,
      country_code text NOT NULL REFERENCES countries(code),
      PRIMARY KEY (group_id, country_code)
    );
    CREATE INDEX country_group_members_country ON country_group_members (country_code);

    CREATE TABLE units (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      parent_id integer REFERENCES units(id),
      kind text NOT NULL CHECK (kind IN ('central_office', 'bureau', 'local_committee', 'department')),
      key text NOT NULL UNIQUE,
      name_en text NOT NULL,
      name_zh text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE users (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      username text NOT NULL UNIQUE,
      display_name text NOT NULL,
      builtin boolean NOT NULL DEFAULT false,
      disabled boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE user_roles (
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      unit_id integer NOT NULL REFERENCES units(id),
      role text NOT NULL CHECK (role IN ('administrator', 'coordinator', 'editor', 'viewer')),
      PRIMARY KEY (user_id, unit_id, role)
    );

    CREATE TABLE tags (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      key text NOT NULL UNIQUE,
      name_en text NOT NULL,
      name_zh text NOT NULL
    );
    CREATE TABLE topics (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      key text NOT NULL UNIQUE,
      name_en text NOT NULL,
      name_zh text NOT NULL
    );

    CREATE TABLE organisations (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('political_party', 'think_tank', 'civil_society', 'media', 'government_body',
        'parliament', 'international_organisation', 'movement', 'other')),
      country_code text REFERENCES countries(code),
      name_en text NOT NULL,
      name_zh text,
      abbreviation text,
      founded_year integer,
      dissolved_year integer,
      website text,
      description text,
      family text,
      wikidata_id text UNIQUE,
      partyfacts_id integer UNIQUE,
      parlgov_id integer,
      search_text text NOT NULL DEFAULT '',
      search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED,
      source text NOT NULL DEFAULT 'user',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX organisations_country_kind ON organisations (country_code, kind);
    CREATE INDEX organisations_kind_name ON organisations (kind, name_en, id);
    CREATE INDEX organisations_name ON organisations (name_en, id);
    CREATE INDEX organisations_family ON organisations (family) WHERE family IS NOT NULL;
    CREATE INDEX organisations_search ON organisations USING gin (search_vector);
    -- Exact-match lookups that put the organisation someone typed first in a name search.
    CREATE INDEX organisations_exact_abbreviation ON organisations (lower(abbreviation));
    CREATE INDEX organisations_exact_name_en ON organisations (lower(name_en));
    CREATE INDEX organisations_exact_name_zh ON organisations (name_zh);
    -- Organisations counted by country and kind, kept exact by the statement triggers
    -- below, so that counts per country or kind never scan the registry.
    CREATE TABLE organisation_counts (
      country_key text NOT NULL,
      kind text NOT NULL,
      n integer NOT NULL,
      PRIMARY KEY (country_key, kind)
    );
    CREATE FUNCTION organisation_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        INSERT INTO organisation_counts (country_key, kind, n)
        SELECT key, kind, sum(delta) FROM (
          SELECT coalesce(o.country_code, '') AS key, o.kind, -1 AS delta FROM old_rows o JOIN new_rows n USING (id)
            WHERE (o.country_code, o.kind) IS DISTINCT FROM (n.country_code, n.kind)
          UNION ALL
          SELECT coalesce(n.country_code, ''), n.kind, 1 FROM old_rows o JOIN new_rows n USING (id)
            WHERE (o.country_code, o.kind) IS DISTINCT FROM (n.country_code, n.kind)
        ) changes GROUP BY key, kind
        ON CONFLICT (country_key, kind) DO UPDATE SET n = organisation_counts.n + excluded.n;
      ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO organisation_counts (country_key, kind, n)
        SELECT coalesce(country_code, ''), kind, count(*) FROM new_rows GROUP BY 1, 2
        ON CONFLICT (country_key, kind) DO UPDATE SET n = organisation_counts.n + excluded.n;
      ELSE
        INSERT INTO organisation_counts (country_key, kind, n)
        SELECT coalesce(country_code, ''), kind, -count(*) FROM old_rows GROUP BY 1, 2
        ON CONFLICT (country_key, kind) DO UPDATE SET n = organisation_counts.n + excluded.n;
      END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER organisation_counts_insert AFTER INSERT ON organisations
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organisation_counts_apply();
    CREATE TRIGGER organisation_counts_update AFTER UPDATE ON organisations
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organisation_counts_apply();
    CREATE TRIGGER organisation_counts_delete AFTER DELETE ON organisations
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION organisation_counts_apply();

    CREATE TABLE organisation_names (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organisation_id integer NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('official', 'short', 'abbreviation', 'former', 'alias')),
      lang text NOT NULL,
      script text,
      value text NOT NULL,
      valid_to integer,
      position integer NOT NULL DEFAULT 0
    );
    CREATE INDEX organisation_names_org ON organisation_names (organisation_id);
    CREATE TABLE organisation_tags (
      organisation_id integer NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
      tag_id integer NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
      PRIMARY KEY (organisation_id, tag_id)
    );
    CREATE INDEX organisation_tags_tag ON organisation_tags (tag_id);
    CREATE TABLE organisation_statuses (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organisation_id integer NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
      status text NOT NULL CHECK (status IN ('in_government', 'opposition', 'banned', 'dissolved')),
      valid_from date NOT NULL,
      valid_to date,
      note text,
      CHECK (valid_to IS NULL OR valid_to >= valid_from)
    );
    CREATE INDEX organisation_statuses_lookup ON organisation_statuses (status, valid_from, organisation_id);
    CREATE INDEX organisation_statuses_org ON organisation_statuses (organisation_id);

    CREATE TABLE people (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      family_name_en text,
      given_name_en text,
      name_en text NOT NULL,
      name_zh text,
      name_native text,
      native_lang text,
      aliases text[] NOT NULL DEFAULT '{}',
      gender text NOT NULL DEFAULT 'unknown' CHECK (gender IN ('female', 'male', 'other', 'unknown')),
      birth_year integer,
      country_code text REFERENCES countries(code),
      biography text,
      search_text text NOT NULL DEFAULT '',
      search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX people_name ON people (name_en, id);
    CREATE INDEX people_country ON people (country_code);
    CREATE INDEX people_search ON people USING gin (search_vector);
    CREATE TABLE positions (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      person_id integer NOT NULL REFERENCES people(id) ON DELETE CASCADE,
      organisation_id integer NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
      title_en text NOT NULL,
      title_zh text,
      start_date date,
      end_date date,
      CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
    );
    CREATE INDEX positions_person ON positions (person_id);
    CREATE INDEX positions_org ON positions (organisation_id);
    CREATE TABLE person_contacts (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      person_id integer NOT NULL REFERENCES people(id) ON DELETE CASCADE,
      unit_id integer NOT NULL REFERENCES units(id),
      kind text NOT NULL CHECK (kind IN ('email', 'phone', 'address', 'messenger', 'other')),
      value text NOT NULL,
      note text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX person_contacts_person ON person_contacts (person_id);

    CREATE TABLE relationships (
      organisation_id integer PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
      level text NOT NULL CHECK (level IN ('none', 'contact', 'regular', 'established', 'strategic')),
      since date,
      lead_unit_id integer REFERENCES units(id),
      notes text,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX relationships_level ON relationships (level);
    CREATE TABLE partner_relations (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      from_organisation_id integer NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
      to_organisation_id integer NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('member_of', 'affiliate_of', 'coalition_with', 'successor_of')),
      start_date date,
      end_date date,
      note text,
      CHECK (from_organisation_id <> to_organisation_id),
      CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
    );
    CREATE INDEX partner_relations_from ON partner_relations (from_organisation_id);
    CREATE INDEX partner_relations_to ON partner_relations (to_organisation_id);

    CREATE TABLE audit_log (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor_id integer REFERENCES users(id),
      unit_id integer REFERENCES units(id),
      entity text NOT NULL,
      entity_id text,
      action text NOT NULL,
      before jsonb,
      after jsonb
    );
    CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);

    CREATE TABLE reference_imports (
      source text PRIMARY KEY,
      checksum text NOT NULL,
      imported_at timestamptz NOT NULL DEFAULT now(),
      summary jsonb NOT NULL
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE reference_imports, audit_log, partner_relations, relationships, person_contacts, positions,
    people, organisation_statuses, organisation_tags, organisation_names, organisation_counts, organisations, topics, tags, user_roles,
    users, units, country_group_members, country_groups, countries, regions CASCADE`.execute(db);
  await sql`DROP FUNCTION IF EXISTS organisation_counts_apply()`.execute(db);
}
