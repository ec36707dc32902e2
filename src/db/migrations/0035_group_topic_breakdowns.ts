import { type Kysely, sql } from "kysely";

/**
 * The counts' rollups gain two breakdowns: by country group (dim "group", the group's id as value),
 * in which an engagement sits for each group that a country it reached is a member of, and by topic
 * (dim "topic", the topic's id), for each topic it is tagged with. Counts of a country group's
 * partners ("engagements with BRICS parties") or of a topic had been read from the record. The
 * tables keep their shape; the rebuild that follows this migration fills the new rows (see
 * rebuildsRollups); a group's rows are remade when its members change, a topic's go with it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`COMMENT ON COLUMN engagement_rollup.dim IS
    'The breakdown the row counts: all, unit, programme, subtype, topic (by id), region, group (a country group, by id), kind or status'`.execute(
    db,
  );
}

/** Without the two breakdowns: their rows go (the rest stay right). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`COMMENT ON COLUMN engagement_rollup.dim IS NULL;
    DELETE FROM engagement_rollup WHERE dim IN ('group', 'topic'); DELETE FROM engagement_country_rollup WHERE dim IN ('group', 'topic');
    DELETE FROM engagement_country_bits WHERE dim IN ('group', 'topic'); DELETE FROM engagement_partner_bits WHERE dim IN ('group', 'topic')`.execute(
    db,
  );
}
