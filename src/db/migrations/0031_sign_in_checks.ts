import { type Kysely, sql } from "kysely";

/**
 * A sign-in attempt is recorded before its password is checked (so that parallel guesses cannot
 * all slip under the limits), and stays as a failure's record when the password is wrong. The
 * new column tells the two apart while the check runs: the address limit counts failures, not an
 * office's colleagues signing in at once from behind one address.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE login_failures ADD COLUMN checking boolean NOT NULL DEFAULT false`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE login_failures DROP COLUMN checking`.execute(db);
}
