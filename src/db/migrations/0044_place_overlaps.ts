import { type Kysely, sql } from "kysely";

/**
 * The engagements that reached two places of one family (a state and a region of it, or two
 * regions of one state) at once: one row per engagement and family, named by the place they
 * share (`key`, which is the state or the region itself), with the engagement's start date and
 * the family's places it reached. By place, China with Hong Kong, Macao and Taiwan counts such
 * an engagement once, not once per member; the counts read them here by family and date rather
 * than every participation of the members' partners in the period (at 1M engagements, 52 ms of a
 * long period's 100 ms). Whatever the territorial policy, two places that count as one share a
 * family, so the rows hold every engagement the policy can merge, and the counts keep those the
 * policy does. The rollups' writer keeps them (`refreshPlaceOverlaps`); filled here from the record.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE engagement_place_overlaps (
      engagement_id integer NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
      key text NOT NULL,
      start_date date NOT NULL,
      countries text[] NOT NULL,
      PRIMARY KEY (engagement_id, key)
    );
    CREATE INDEX engagement_place_overlaps_key_date ON engagement_place_overlaps (key, start_date);
    COMMENT ON TABLE engagement_place_overlaps IS
      'Engagements that reached two or more places of one family (a place and its parent, or two places of one parent): one row per engagement and shared place (key)';
    INSERT INTO engagement_place_overlaps (engagement_id, key, start_date, countries)
    SELECT r.engagement_id, f.key, e.start_date, array_agg(DISTINCT r.country ORDER BY r.country)
    FROM (SELECT DISTINCT p.engagement_id, coalesce(o.country_code, pe.country_code) AS country
      FROM engagement_participants p
      LEFT JOIN organisations o ON o.id = p.organisation_id
      LEFT JOIN people pe ON pe.id = p.person_id AND p.organisation_id IS NULL) r
    JOIN engagements e ON e.id = r.engagement_id
    JOIN countries c ON c.code = r.country
    CROSS JOIN LATERAL (VALUES (c.code), (c.parent_code)) AS f(key)
    WHERE f.key IS NOT NULL
    GROUP BY r.engagement_id, f.key, e.start_date
    HAVING count(DISTINCT r.country) > 1`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE engagement_place_overlaps`.execute(db);
}
