import { type Kysely, sql } from "kysely";

/**
 * Follow-up tasks: a unit's "send the thank-you letter", "prepare the briefing paper", on one of
 * its engagements or on a partner, with an owner and a due date. Notifications can point at a
 * task, and tell its owner when it is given to them and once when it falls overdue.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE tasks (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      unit_id integer NOT NULL REFERENCES units(id),
      engagement_id integer REFERENCES engagements(id) ON DELETE CASCADE,
      organisation_id integer REFERENCES organisations(id) ON DELETE CASCADE,
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
      note text,
      owner_id integer REFERENCES users(id) ON DELETE SET NULL,
      due_date date,
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dropped')),
      classification text NOT NULL DEFAULT 'internal' CHECK (classification IN ('public', 'internal', 'restricted')),
      created_by integer REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz,
      overdue_notified_at timestamptz,
      CHECK ((engagement_id IS NULL) <> (organisation_id IS NULL))
    );
    CREATE INDEX tasks_owner ON tasks (owner_id, status, due_date);
    CREATE INDEX tasks_engagement ON tasks (engagement_id) WHERE engagement_id IS NOT NULL;
    CREATE INDEX tasks_organisation ON tasks (organisation_id) WHERE organisation_id IS NOT NULL;
    CREATE INDEX tasks_unit ON tasks (unit_id, status);
    CREATE INDEX tasks_overdue ON tasks (due_date) WHERE status = 'open' AND overdue_notified_at IS NULL;
    ALTER TABLE notifications ADD COLUMN task_id integer REFERENCES tasks(id) ON DELETE CASCADE;
    ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
    ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
      CHECK (kind IN ('approval_submitted', 'approval_approved', 'approval_returned', 'coordination_alert', 'record_shared',
        'engagement_cancelled', 'task_assigned', 'task_overdue'));
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DELETE FROM notifications WHERE kind IN ('task_assigned', 'task_overdue');
    ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
    ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
      CHECK (kind IN ('approval_submitted', 'approval_approved', 'approval_returned', 'coordination_alert', 'record_shared',
        'engagement_cancelled'));
    ALTER TABLE notifications DROP COLUMN task_id;
    DROP TABLE tasks;
  `.execute(db);
}
