import { type Kysely, sql } from "kysely";

/**
 * E-mail for notifications: a user's address and whether they want mail, and on each
 * notification when it was mailed (or how often mailing failed). Notifications made before
 * count as mailed: switching mail on never sends a backlog.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE users ADD COLUMN email text CHECK (email IS NULL OR (length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'));
    ALTER TABLE users ADD COLUMN email_notifications boolean NOT NULL DEFAULT true;
    ALTER TABLE notifications ADD COLUMN emailed_at timestamptz;
    ALTER TABLE notifications ADD COLUMN email_attempts integer NOT NULL DEFAULT 0;
    UPDATE notifications SET emailed_at = created_at;
    CREATE INDEX notifications_to_mail ON notifications (created_at) WHERE emailed_at IS NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX notifications_to_mail;
    ALTER TABLE notifications DROP COLUMN email_attempts;
    ALTER TABLE notifications DROP COLUMN emailed_at;
    ALTER TABLE users DROP COLUMN email_notifications;
    ALTER TABLE users DROP COLUMN email;
  `.execute(db);
}
