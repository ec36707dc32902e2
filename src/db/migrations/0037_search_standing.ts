import { type Kysely, sql } from "kysely";

/**
 * What a name search ranks an organisation by, kept on its row: whether the office has engaged
 * it (`engaged`), the level of our relationship (`relationship_level`) and the days it governs
 * (`governing`, the in-government statuses as one multirange). Looked up in their tables for each
 * ranked record, these were a quarter of a broad search's time: three index probes a record, for
 * the 220 records a page of "social" ranks.
 *
 * Statement triggers keep them, each recomputing only what its table can alter, and writing an
 * organisation's row only where that changed. Engagements are written often and concurrently, so
 * their participants take no lock on the organisations they name: a partner's row is written only
 * when it becomes engaged or stops being so. (Locking every partner named, as a first version did,
 * made two users' saves naming the same partners wait for each other and deadlock.) One race is
 * left: an engagement removing a partner's last participation while another, uncommitted, adds one
 * can leave `engaged` false; `repairStanding` (src/core/organisations/store.ts), run by the server
 * every ten minutes, sets it right. A relationship is one row per organisation, whose own lock
 * orders its writers. Statuses are written rarely: their trigger locks the organisations first,
 * in id order, and recomputes in a new statement, the second of two writers from what the first
 * committed. A restore loads the rows as they were (the triggers off); an archive made before this
 * migration gets it after loading.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE organisations
      ADD COLUMN engaged boolean NOT NULL DEFAULT false,
      ADD COLUMN relationship_level text,
      ADD COLUMN governing datemultirange NOT NULL DEFAULT '{}';

    -- What a table's change can alter: the participants whether it is engaged, the relationships
    -- its level, the statuses its days in government; only that is recomputed.
    CREATE FUNCTION organisation_standing_refresh(touched integer[], source text) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      IF touched IS NULL OR cardinality(touched) = 0 THEN RETURN; END IF;
      IF source = 'engagement_participants' THEN
        UPDATE organisations o SET engaged = s.engaged
        FROM (SELECT t.id, EXISTS (SELECT 1 FROM engagement_participants p WHERE p.organisation_id = t.id) AS engaged
          FROM unnest(touched) AS t(id)) s
        WHERE o.id = s.id AND o.engaged IS DISTINCT FROM s.engaged;
      ELSIF source = 'relationships' THEN
        UPDATE organisations o SET relationship_level = s.level
        FROM (SELECT t.id, r.level FROM unnest(touched) AS t(id) LEFT JOIN relationships r ON r.organisation_id = t.id) s
        WHERE o.id = s.id AND o.relationship_level IS DISTINCT FROM s.level;
      ELSE
        PERFORM 1 FROM organisations WHERE id = ANY (touched) ORDER BY id FOR NO KEY UPDATE;
        UPDATE organisations o SET governing = s.governing
        FROM (SELECT t.id, coalesce((SELECT range_agg(daterange(g.valid_from, g.valid_to, '[]')) FROM organisation_statuses g
            WHERE g.organisation_id = t.id AND g.status = 'in_government'), '{}') AS governing
          FROM unnest(touched) AS t(id)) s
        WHERE o.id = s.id AND o.governing IS DISTINCT FROM s.governing;
      END IF;
    END $$;

    -- Statements differ by event because each event has only its own transition tables.
    CREATE FUNCTION organisation_standing_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE touched integer[];
    BEGIN
      IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT organisation_id) INTO touched FROM new_rows WHERE organisation_id IS NOT NULL;
      ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT organisation_id) INTO touched FROM old_rows WHERE organisation_id IS NOT NULL;
      ELSIF TG_TABLE_NAME = 'engagement_participants' THEN
        -- Only a participation moved to another organisation can change whether one is engaged.
        SELECT array_agg(DISTINCT c.id) INTO touched FROM (
          SELECT unnest(ARRAY[o.organisation_id, n.organisation_id]) AS id FROM old_rows o JOIN new_rows n USING (id)
          WHERE o.organisation_id IS DISTINCT FROM n.organisation_id
        ) c WHERE c.id IS NOT NULL;
      ELSE
        SELECT array_agg(DISTINCT id) INTO touched FROM (
          SELECT organisation_id AS id FROM old_rows UNION SELECT organisation_id FROM new_rows
        ) c WHERE id IS NOT NULL;
      END IF;
      PERFORM organisation_standing_refresh(touched, TG_TABLE_NAME);
      RETURN NULL;
    END $$;

    CREATE FUNCTION organisation_standing_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_TABLE_NAME = 'engagement_participants' THEN
        UPDATE organisations SET engaged = false WHERE engaged;
      ELSIF TG_TABLE_NAME = 'relationships' THEN
        UPDATE organisations SET relationship_level = NULL WHERE relationship_level IS NOT NULL;
      ELSE
        UPDATE organisations SET governing = '{}' WHERE NOT isempty(governing);
      END IF;
      RETURN NULL;
    END $$;
  `.execute(db);
  for (const table of ["engagement_participants", "relationships", "organisation_statuses"]) {
    const t = sql.raw(table);
    await sql`
      CREATE TRIGGER ${sql.raw(`${table}_standing_insert`)} AFTER INSERT ON ${t}
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organisation_standing_changed();
      CREATE TRIGGER ${sql.raw(`${table}_standing_update`)} AFTER UPDATE ON ${t}
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organisation_standing_changed();
      CREATE TRIGGER ${sql.raw(`${table}_standing_delete`)} AFTER DELETE ON ${t}
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION organisation_standing_changed();
      CREATE TRIGGER ${sql.raw(`${table}_standing_truncate`)} AFTER TRUNCATE ON ${t}
        FOR EACH STATEMENT EXECUTE FUNCTION organisation_standing_truncated();
    `.execute(db);
  }
  await sql`
    UPDATE organisations o SET engaged = true
      WHERE o.id IN (SELECT organisation_id FROM engagement_participants WHERE organisation_id IS NOT NULL);
    UPDATE organisations o SET relationship_level = r.level FROM relationships r WHERE r.organisation_id = o.id;
    UPDATE organisations o SET governing = g.governing FROM (
      SELECT organisation_id, range_agg(daterange(valid_from, valid_to, '[]')) AS governing
      FROM organisation_statuses WHERE status = 'in_government' GROUP BY organisation_id
    ) g WHERE g.organisation_id = o.id;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["engagement_participants", "relationships", "organisation_statuses"]) {
    for (const event of ["insert", "update", "delete", "truncate"]) {
      await sql`DROP TRIGGER ${sql.raw(`${table}_standing_${event}`)} ON ${sql.raw(table)}`.execute(db);
    }
  }
  await sql`
    DROP FUNCTION organisation_standing_truncated();
    DROP FUNCTION organisation_standing_changed();
    DROP FUNCTION organisation_standing_refresh(integer[], text);
    ALTER TABLE organisations DROP COLUMN engaged, DROP COLUMN relationship_level, DROP COLUMN governing;
  `.execute(db);
}
