import { type Kysely, sql } from "kysely";

/**
 * The gifts register: each gift given or received during an engagement, in rows of its own
 * (until now a list inside a visit's details). Gifts are recorded after the event, often by
 * someone other than the plan's author, and a gift declaration is a compliance record: it has
 * its own permission and its own audit rows, and recording a gift does not reopen an approved plan.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE gifts (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      engagement_id integer NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
      given boolean NOT NULL,
      description text NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
      value_band text CHECK (value_band IN ('token', 'modest', 'substantial', 'unknown')),
      giver text,
      recipient text,
      handling text CHECK (handling IN ('handed_in', 'kept_by_unit', 'displayed', 'returned', 'other')),
      gift_date date,
      note text,
      created_by integer REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX gifts_engagement ON gifts (engagement_id);

    -- The visits' gift lists become register rows, in their order, then leave the details.
    INSERT INTO gifts (engagement_id, given, description, value_band, recipient, note, gift_date, created_by, created_at)
    SELECT e.id, coalesce((g.value->>'given')::boolean, true), left(g.value->>'description', 500),
      nullif(g.value->>'valueBand', ''), nullif(g.value->>'recipient', ''), nullif(g.value->>'note', ''),
      e.start_date, e.created_by, e.created_at
    FROM engagements e, jsonb_array_elements(e.details->'gifts') WITH ORDINALITY AS g(value, n)
    WHERE jsonb_typeof(e.details->'gifts') = 'array' AND coalesce(g.value->>'description', '') <> ''
    ORDER BY e.id, g.n;
    UPDATE engagements SET details = details - 'gifts' WHERE details ? 'gifts';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    UPDATE engagements e SET details = coalesce(e.details, '{}'::jsonb) || jsonb_build_object('gifts', (
      SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('description', g.description, 'given', g.given,
        'valueBand', g.value_band, 'recipient', g.recipient, 'note', g.note)) ORDER BY g.id)
      FROM gifts g WHERE g.engagement_id = e.id))
    WHERE e.type = 'visit' AND EXISTS (SELECT 1 FROM gifts g WHERE g.engagement_id = e.id);
    DROP TABLE gifts;
  `.execute(db);
}
