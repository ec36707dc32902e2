import { type Kysely, sql } from "kysely";

/**
 * An approved plan is cancelled, with its reason, rather than deleted: the approval trail takes
 * a "cancelled" step, and the coordinators who approved it are told.
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
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
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
