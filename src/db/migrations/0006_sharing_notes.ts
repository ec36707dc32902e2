import { type Kysely, sql } from "kysely";

/**
 * Owned records shared with other units (read-only for them), classification of contact
 * details, and units' notes on partners and people.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The built-in administrator is cleared, also where it was created after migration 0005.
    UPDATE users SET clearance = true WHERE builtin;
    ALTER TABLE person_contacts ADD COLUMN classification text NOT NULL DEFAULT 'internal'
      CHECK (classification IN ('public', 'internal', 'restricted'));
    CREATE TABLE notes (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organisation_id integer REFERENCES organisations(id) ON DELETE CASCADE,
      person_id integer REFERENCES people(id) ON DELETE CASCADE,
      unit_id integer NOT NULL REFERENCES units(id),
      classification text NOT NULL DEFAULT 'internal' CHECK (classification IN ('public', 'internal', 'restricted')),
      body text NOT NULL,
      created_by integer REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((organisation_id IS NULL) <> (person_id IS NULL))
    );
    CREATE INDEX notes_organisation ON notes (organisation_id, id) WHERE organisation_id IS NOT NULL;
    CREATE INDEX notes_person ON notes (person_id, id) WHERE person_id IS NOT NULL;
    CREATE TABLE record_shares (
      entity text NOT NULL CHECK (entity IN ('engagement', 'note')),
      record_id integer NOT NULL,
      unit_id integer NOT NULL REFERENCES units(id) ON DELETE CASCADE,
      shared_by integer REFERENCES users(id) ON DELETE SET NULL,
      shared_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (entity, record_id, unit_id)
    );
    CREATE INDEX record_shares_unit ON record_shares (unit_id, entity);
    -- A record's shares go with it, whichever way it is deleted (one at a time, or the demo in bulk).
    CREATE FUNCTION remove_record_shares() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM record_shares s USING gone g WHERE s.entity = TG_ARGV[0] AND s.record_id = g.id;
      RETURN NULL;
    END $$;
    CREATE TRIGGER engagements_remove_shares AFTER DELETE ON engagements
      REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION remove_record_shares('engagement');
    CREATE TRIGGER notes_remove_shares AFTER DELETE ON notes
      REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION remove_record_shares('note');
    ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
    ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
      CHECK (kind IN ('approval_submitted', 'approval_approved', 'approval_returned', 'coordination_alert', 'record_shared'));
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DELETE FROM notifications WHERE kind = 'record_shared';
    ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
    ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
      CHECK (kind IN ('approval_submitted', 'approval_approved', 'approval_returned', 'coordination_alert'));
    DROP TRIGGER engagements_remove_shares ON engagements;
    DROP TABLE record_shares, notes;
    DROP FUNCTION remove_record_shares(); ALTER TABLE person_contacts DROP COLUMN classification;`.execute(db);
}
