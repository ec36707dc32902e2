import { type Kysely, sql } from "kysely";

/**
 * Trust: a role may be held for its unit alone (without its sub-units); sessions get an id a
 * user can name to end one; the audit log can no longer be changed or deleted, whatever the
 * application asks.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE user_roles ADD COLUMN subunits boolean NOT NULL DEFAULT true;
    ALTER TABLE sessions ADD COLUMN id integer GENERATED ALWAYS AS IDENTITY;
    -- A token made with a token ends with it.
    ALTER TABLE api_tokens ADD COLUMN parent_id integer REFERENCES api_tokens(id) ON DELETE CASCADE;
    ALTER TABLE sessions ADD CONSTRAINT sessions_id_unique UNIQUE (id);
    CREATE INDEX login_failures_at ON login_failures (at);
    -- One row that /health rewrites on a server database: proof that it still takes writes.
    CREATE TABLE health_probe (id integer PRIMARY KEY CHECK (id = 1), checked_at timestamptz NOT NULL);
    -- Roles now act in their unit's tree only: the demo's provincial committees, loaded as
    -- roots before, go under the central office, whose coordinators coordinate them.
    UPDATE units SET parent_id = (SELECT id FROM units WHERE key = 'central')
      WHERE demo AND parent_id IS NULL AND kind = 'local_committee' AND EXISTS (SELECT 1 FROM units WHERE key = 'central');

    -- A row about a restricted record says so, so that the uncleared see that it changed, not which or how.
    ALTER TABLE audit_log ADD COLUMN restricted boolean NOT NULL DEFAULT false;
    UPDATE audit_log SET restricted = true
      WHERE before ->> 'classification' = 'restricted' OR after ->> 'classification' = 'restricted';
    -- A report snapshot remembers the units its author could read, so that only those who
    -- review all of them may read it (null: every unit).
    ALTER TABLE report_snapshots ADD COLUMN scope_unit_ids integer[];
    UPDATE report_snapshots s SET scope_unit_ids = ARRAY[s.unit_id] WHERE s.unit_id IS NOT NULL;

    CREATE FUNCTION audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'The audit log is append-only: its rows cannot be changed or deleted.' USING ERRCODE = 'insufficient_privilege';
    END $$;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_immutable();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_immutable();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TRIGGER audit_log_no_truncate ON audit_log;
    DROP TRIGGER audit_log_no_update ON audit_log;
    DROP FUNCTION audit_log_immutable();
    ALTER TABLE report_snapshots DROP COLUMN scope_unit_ids;
    ALTER TABLE audit_log DROP COLUMN restricted;
    DROP TABLE health_probe;
    DROP INDEX login_failures_at;
    ALTER TABLE api_tokens DROP COLUMN parent_id;
    ALTER TABLE sessions DROP CONSTRAINT sessions_id_unique;
    ALTER TABLE sessions DROP COLUMN id;
    ALTER TABLE user_roles DROP COLUMN subunits;
  `.execute(db);
}
