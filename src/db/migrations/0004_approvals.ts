import { type Kysely, sql } from "kysely";

/**
 * Approvals: planned visits and hosted events go draft → submitted → approved or returned
 * → (done) → reported; every step is kept with who took it and when. Notifications tell
 * the people concerned.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE engagements ADD COLUMN approval text CHECK (approval IN ('draft', 'submitted', 'approved', 'returned', 'reported'));
    CREATE INDEX engagements_approval ON engagements (approval, start_date) WHERE approval IS NOT NULL;
    CREATE TABLE engagement_approval_steps (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      engagement_id integer NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
      step text NOT NULL CHECK (step IN ('created', 'submitted', 'approved', 'returned', 'done', 'reported')),
      actor_id integer REFERENCES users(id),
      unit_id integer REFERENCES units(id),
      at timestamptz NOT NULL DEFAULT now(),
      note text
    );
    CREATE INDEX engagement_approval_steps_engagement ON engagement_approval_steps (engagement_id, at);
    -- In-app notifications: approvals, returns and coordination alerts, per user.
    CREATE TABLE notifications (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('approval_submitted', 'approval_approved', 'approval_returned', 'coordination_alert')),
      engagement_id integer REFERENCES engagements(id) ON DELETE CASCADE,
      message_en text NOT NULL,
      message_zh text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz
    );
    CREATE INDEX notifications_user ON notifications (user_id, created_at DESC) ;
    CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE notifications, engagement_approval_steps; ALTER TABLE engagements DROP COLUMN approval;`.execute(db);
}
