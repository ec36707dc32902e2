import { type Kysely, sql } from "kysely";

/**
 * The engagement record: engagements with participants, co-units, topics and attachments;
 * programmes; mechanisms with dated membership and chairs; and the rollups that answer
 * the counts query without scanning the record.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
        ALTER TABLE units ADD COLUMN demo boolean NOT NULL DEFAULT false;
    ALTER TABLE people ADD COLUMN demo boolean NOT NULL DEFAULT false;

    CREATE TABLE programmes (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name_en text NOT NULL,
      name_zh text NOT NULL,
      description text,
      lead_unit_id integer NOT NULL REFERENCES units(id),
      start_date date,
      end_date date,
      targets jsonb NOT NULL DEFAULT '{}',
      demo boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
    );
    CREATE TABLE mechanisms (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('consultation_mechanism', 'party_forum', 'dialogue_platform', 'network')),
      name_en text NOT NULL,
      name_zh text NOT NULL,
      description text,
      lead_unit_id integer NOT NULL REFERENCES units(id),
      founded_on date,
      demo boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE mechanism_members (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      mechanism_id integer NOT NULL REFERENCES mechanisms(id) ON DELETE CASCADE,
      organisation_id integer NOT NULL REFERENCES organisations(id),
      joined_on date NOT NULL,
      left_on date,
      note text,
      CHECK (left_on IS NULL OR left_on >= joined_on)
    );
    CREATE INDEX mechanism_members_mechanism ON mechanism_members (mechanism_id, joined_on);
    CREATE INDEX mechanism_members_organisation ON mechanism_members (organisation_id);
    CREATE TABLE mechanism_chairs (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      mechanism_id integer NOT NULL REFERENCES mechanisms(id) ON DELETE CASCADE,
      organisation_id integer NOT NULL REFERENCES organisations(id),
      start_date date NOT NULL,
      end_date date,
      CHECK (end_date IS NULL OR end_date >= start_date)
    );
    CREATE INDEX mechanism_chairs_mechanism ON mechanism_chairs (mechanism_id, start_date);

    CREATE TABLE engagements (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      type text NOT NULL CHECK (type IN ('visit', 'talks', 'event', 'correspondence', 'statement', 'assistance', 'training')),
      direction text NOT NULL CHECK (direction IN ('received', 'sent', 'hosted', 'attended', 'none')),
      subtype text,
      status text NOT NULL CHECK (status IN ('planned', 'done', 'cancelled')),
      title_en text NOT NULL,
      title_zh text,
      summary_en text,
      summary_zh text,
      start_date date NOT NULL,
      end_date date NOT NULL,
      timezone text,
      country_code text REFERENCES countries(code),
      city text,
      lead_unit_id integer NOT NULL REFERENCES units(id),
      programme_id integer REFERENCES programmes(id),
      mechanism_id integer REFERENCES mechanisms(id),
      in_reply_to_id integer REFERENCES engagements(id) ON DELETE SET NULL,
      thank_you_letter_id integer REFERENCES engagements(id) ON DELETE SET NULL,
      details jsonb NOT NULL DEFAULT '{}',
      search_text text NOT NULL DEFAULT '',
      search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED,
      demo boolean NOT NULL DEFAULT false,
      created_by integer REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (end_date >= start_date)
    );
    CREATE INDEX engagements_start ON engagements (start_date DESC, id DESC);
    CREATE INDEX engagements_type_start ON engagements (type, start_date DESC, id DESC);
    CREATE INDEX engagements_unit_start ON engagements (lead_unit_id, start_date DESC, id DESC);
    CREATE INDEX engagements_programme ON engagements (programme_id) WHERE programme_id IS NOT NULL;
    CREATE INDEX engagements_mechanism ON engagements (mechanism_id) WHERE mechanism_id IS NOT NULL;
    CREATE INDEX engagements_in_reply_to ON engagements (in_reply_to_id) WHERE in_reply_to_id IS NOT NULL;
    CREATE INDEX engagements_search ON engagements USING gin (search_vector);
    CREATE INDEX engagements_demo ON engagements (demo) WHERE demo;

    CREATE TABLE engagement_units (
      engagement_id integer NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
      unit_id integer NOT NULL REFERENCES units(id),
      PRIMARY KEY (engagement_id, unit_id)
    );
    CREATE INDEX engagement_units_unit ON engagement_units (unit_id);
    -- start_date is copied from the engagement so that a partner's timeline is one index range.
    CREATE TABLE engagement_participants (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      engagement_id integer NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
      organisation_id integer REFERENCES organisations(id),
      person_id integer REFERENCES people(id),
      role text NOT NULL,
      rank text,
      precedence integer,
      start_date date NOT NULL,
      CHECK (organisation_id IS NOT NULL OR person_id IS NOT NULL)
    );
    CREATE INDEX engagement_participants_engagement ON engagement_participants (engagement_id);
    CREATE INDEX engagement_participants_timeline ON engagement_participants (organisation_id, start_date DESC, engagement_id DESC)
      WHERE organisation_id IS NOT NULL;
    CREATE INDEX engagement_participants_person ON engagement_participants (person_id, start_date DESC) WHERE person_id IS NOT NULL;
    CREATE TABLE engagement_topics (
      engagement_id integer NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
      topic_id integer NOT NULL REFERENCES topics(id),
      PRIMARY KEY (engagement_id, topic_id)
    );
    CREATE INDEX engagement_topics_topic ON engagement_topics (topic_id);
    CREATE TABLE engagement_attachments (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      engagement_id integer NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
      file_name text NOT NULL,
      content_type text NOT NULL,
      size_bytes integer NOT NULL,
      sha256 text NOT NULL,
      storage text NOT NULL CHECK (storage IN ('local', 's3')),
      storage_key text NOT NULL,
      created_by integer REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX engagement_attachments_engagement ON engagement_attachments (engagement_id);

    -- Rollups of done engagements, kept exact by the engagement services in the same
    -- transaction. dim/value is one breakdown: ('all',''), ('unit', id), ('programme', id),
    -- ('subtype', s), ('region', code), ('kind', k).
    CREATE TABLE engagement_rollup (
      year integer NOT NULL,
      type text NOT NULL,
      direction text NOT NULL,
      dim text NOT NULL,
      value text NOT NULL,
      n integer NOT NULL,
      PRIMARY KEY (year, type, direction, dim, value)
    );
    -- The countries reached in each breakdown, counted per engagement.
    CREATE TABLE engagement_country_rollup (
      year integer NOT NULL,
      type text NOT NULL,
      direction text NOT NULL,
      dim text NOT NULL,
      value text NOT NULL,
      country_code text NOT NULL,
      n integer NOT NULL,
      PRIMARY KEY (year, type, direction, dim, value, country_code)
    );
    -- The partner organisations reached in each breakdown as bit strings (bit id mod 4096
    -- of chunk id / 4096), so that "how many distinct partners" over any years is an OR
    -- and a bit count, never a scan of the participants.
    CREATE TABLE engagement_partner_bits (
      year integer NOT NULL,
      type text NOT NULL,
      direction text NOT NULL,
      dim text NOT NULL,
      value text NOT NULL,
      chunk integer NOT NULL,
      bits bit varying NOT NULL,
      PRIMARY KEY (year, type, direction, dim, value, chunk)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE engagement_partner_bits, engagement_country_rollup, engagement_rollup, engagement_attachments, engagement_topics, engagement_participants,
    engagement_units, engagements, mechanism_chairs, mechanism_members, mechanisms, programmes;
    ALTER TABLE people DROP COLUMN demo; ALTER TABLE units DROP COLUMN demo;`.execute(db);
}
