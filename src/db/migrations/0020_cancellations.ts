import { type Kysely, sql } from "kysely";

/**
 * An approved plan is cancelled, with its reason, rather than deleted: the approval trail takes
 * a "cancelled" step, and the coordinators who approved it are told. The calendar asks for what
 * is under way in a month (ending on or after its first day), which an index on end dates serves.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE engagement_approval_steps DROP CONSTRAINT engagement_approval_steps_step_check;
    ALTER TABLE engagement_approval_steps ADD CONSTRAINT engagement_approval_steps_step_check
      CHECK (step IN ('created', 'submitted', 'approved', 'returned', 'done', 'reported', 'cancelled'));
    ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
    ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
      CHECK (kind IN ('approval_submitted', 'approval_approved', 'approval_returned', 'coordination_alert', 'record_shared',
        'engagement_cancelled'));
    CREATE INDEX engagements_end_date ON engagements (end_date);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX engagements_end_date;
    DELETE FROM notifications WHERE kind = 'engagement_cancelled';
    ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
    ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
      CHECK (kind IN ('approval_submitted', 'approval_approved', 'approval_returned', 'coordination_alert', 'record_shared'));
    DELETE FROM engagement_approval_steps WHERE step = 'cancelled';
    ALTER TABLE engagement_approval_steps DROP CONSTRAINT engagement_approval_steps_step_check;
    ALTER TABLE engagement_approval_steps ADD CONSTRAINT engagement_approval_steps_step_check
      CHECK (step IN ('created', 'submitted', 'approved', 'returned', 'done', 'reported'));
  `.execute(db);
}
