import { type Kysely, sql } from "kysely";

/**
 * Calendar feeds: a secret address a calendar application subscribes to, giving the engagements
 * its user may read (all of them, or one unit's). Only the secret's hash is kept; a feed is
 * revoked, never edited.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE calendar_feeds (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      unit_id integer REFERENCES units(id) ON DELETE CASCADE,
      name text,
      locale text NOT NULL DEFAULT 'zh-CN' CHECK (locale IN ('zh-CN', 'en')),
      token_hash text NOT NULL UNIQUE,
      prefix text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    );
    CREATE INDEX calendar_feeds_user ON calendar_feeds (user_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE calendar_feeds;`.execute(db);
}
