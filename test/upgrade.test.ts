import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/connection.ts";
import { migrateUpTo } from "../src/db/migrate.ts";
import { openLiaison } from "../src/server/start.ts";
import { freshInstallation, testEngine } from "./support/database.ts";

const installation = freshInstallation("upgrade");

describe(`an upgrade (${testEngine})`, () => {
  it("rebuilds the rollups after a migration that adds a breakdown, so older records count", async () => {
    // A database as the version before the country, partner and status breakdowns left it.
    const old = await openDatabase(installation);
    try {
      await migrateUpTo(old.db, "0009_reports");
      const unit = await old.db
        .insertInto("units")
        .values({ parentId: null, kind: "bureau", key: "old-bureau", nameEn: "Old bureau", nameZh: "旧局" })
        .returning("id")
        .executeTakeFirstOrThrow();
      const org = await old.db
        .insertInto("organisations")
        .values({ kind: "political_party", nameEn: "Old friends" })
        .returning("id")
        .executeTakeFirstOrThrow();
      const engagement = await old.db
        .insertInto("engagements")
        .values({
          type: "talks",
          direction: "none",
          status: "done",
          titleEn: "Talks of 2020",
          startDate: "2020-05-05",
          endDate: "2020-05-05",
          leadUnitId: unit.id,
          details: "{}",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await old.db
        .insertInto("engagementParticipants")
        .values({ engagementId: engagement.id, organisationId: org.id, role: "participant", startDate: "2020-05-05" })
        .execute();
    } finally {
      await old.close();
    }
    const config = { ...loadConfig({ LIAISON_SKIP_REFERENCE: "1", LIAISON_DEMO: "0" }), port: 0, ...installation };
    const log: string[] = [];
    const { database } = await openLiaison(config, (line) => log.push(line));
    try {
      expect(log.join("\n")).toMatch(/Applied migrations: .*0010_insight_rollups/);
      expect(log.join("\n")).toMatch(/Rebuilt the counts' rollups over 1 engagements/);
      const counted = await sql<{ n: number }>`SELECT n FROM engagement_rollup WHERE dim = 'all' AND year = 2020`.execute(database.db);
      expect(counted.rows).toEqual([{ n: 1 }]);
      const ranked = await sql<{ n: number }>`SELECT n FROM engagement_partner_rollup WHERE dim = 'all' AND year = 2020`.execute(
        database.db,
      );
      expect(ranked.rows).toEqual([{ n: 1 }]);
    } finally {
      await database.close();
    }
  });
});
