import { type Kysely, sql } from "kysely";

const before = `'approval_submitted', 'approval_approved', 'approval_returned', 'coordination_alert', 'record_shared',
  'engagement_cancelled', 'task_assigned', 'task_overdue'`;

/** Administrators hear when a scheduled backup fails, and when backups work again. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
    ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
      CHECK (kind IN (${sql.raw(before)}, 'backup_failed', 'backup_restored'));
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DELETE FROM notifications WHERE kind IN ('backup_failed', 'backup_restored');
    ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
    ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN (${sql.raw(before)}));
  `.execute(db);
}
