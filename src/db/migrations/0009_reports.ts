import { type Kysely, sql } from "kysely";

/** The overview's sentence templates as administrators edit them, and frozen report snapshots. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE report_templates (
      key text PRIMARY KEY,
      zh text NOT NULL,
      en text NOT NULL,
      updated_by integer REFERENCES users(id) ON DELETE SET NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE report_snapshots (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      title text NOT NULL,
      params jsonb NOT NULL,
      report jsonb NOT NULL,
      engagement_ids integer[] NOT NULL,
      created_by integer REFERENCES users(id) ON DELETE SET NULL,
      unit_id integer REFERENCES units(id) ON DELETE SET NULL,
      clearance boolean NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE report_snapshots, report_templates`.execute(db);
}
