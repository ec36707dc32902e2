import { type Kysely, sql } from "kysely";

/** Sign-in: password hashes, server-side sessions, API tokens, and failed logins for rate limiting. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE users ADD COLUMN password_hash text;
    ALTER TABLE users ADD COLUMN password_changed_at timestamptz;
    ALTER TABLE users ADD COLUMN demo boolean NOT NULL DEFAULT false;
    -- The session id the browser holds is never stored: only its SHA-256.
    CREATE TABLE sessions (
      id_hash text PRIMARY KEY,
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      ip text,
      user_agent text
    );
    CREATE INDEX sessions_user ON sessions (user_id);
    CREATE TABLE api_tokens (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      name text NOT NULL,
      unit_id integer NOT NULL REFERENCES units(id),
      role text NOT NULL CHECK (role IN ('administrator', 'coordinator', 'editor', 'viewer')),
      token_hash text NOT NULL UNIQUE,
      prefix text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz,
      last_used_at timestamptz,
      revoked_at timestamptz
    );
    CREATE INDEX api_tokens_user ON api_tokens (user_id);
    CREATE TABLE login_failures (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      username text NOT NULL,
      ip text NOT NULL,
      at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX login_failures_username ON login_failures (lower(username), at);
    CREATE INDEX login_failures_ip ON login_failures (ip, at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE login_failures, api_tokens, sessions;
    ALTER TABLE users DROP COLUMN demo; ALTER TABLE users DROP COLUMN password_changed_at; ALTER TABLE users DROP COLUMN password_hash;`.execute(
    db,
  );
}
