import { type Kysely, sql } from "kysely";

/** Classification of owned records (public, internal, restricted) and users' clearance for restricted ones. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE engagements ADD COLUMN classification text NOT NULL DEFAULT 'internal'
      CHECK (classification IN ('public', 'internal', 'restricted'));
    ALTER TABLE users ADD COLUMN clearance boolean NOT NULL DEFAULT false;
    UPDATE users SET clearance = true WHERE builtin;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE users DROP COLUMN clearance; ALTER TABLE engagements DROP COLUMN classification;`.execute(db);
}
