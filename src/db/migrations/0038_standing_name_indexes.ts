import { type Kysely, sql } from "kysely";

/**
 * Name indexes for the partners that rank first in a name search: those the office engages, and
 * those it has a relationship with (any level but "none") or that have governed (the search keeps
 * those that govern today). A broad search ranks the first names
 * that start with what was typed (a bounded share, in name order): with thousands of "Democratic…"
 * names, a partner the office works with could fall past that share and off the first page. Each
 * class now gives its own first names, from an index of its own members, so the partners that
 * matter are ranked whatever their place in the alphabet.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX organisations_name_en_prefix_engaged ON organisations (lower(name_en) text_pattern_ops) WHERE engaged;
    CREATE INDEX organisations_name_zh_prefix_engaged ON organisations (name_zh text_pattern_ops) WHERE engaged;
    CREATE INDEX organisations_name_en_prefix_standing ON organisations (lower(name_en) text_pattern_ops)
      WHERE relationship_level <> 'none' OR NOT isempty(governing);
    CREATE INDEX organisations_name_zh_prefix_standing ON organisations (name_zh text_pattern_ops)
      WHERE relationship_level <> 'none' OR NOT isempty(governing);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX organisations_name_en_prefix_engaged; DROP INDEX organisations_name_zh_prefix_engaged;
    DROP INDEX organisations_name_en_prefix_standing; DROP INDEX organisations_name_zh_prefix_standing;
  `.execute(db);
}
