import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/connection.ts";
import { migrateUpTo } from "../src/db/migrate.ts";
import { openLiaison } from "../src/server/start.ts";
import { freshInstallation, testEngine } from "./support/database.ts";

const installation = freshInstallation("upgrade");
const place = freshInstallation("upgrade-gifts");

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
      const counted = await sql<{
        n: number;
      }>`SELECT n FROM engagement_rollup WHERE dim = 'all' AND lead_unit_id = 0 AND year = 2020`.execute(database.db);
      expect(counted.rows).toEqual([{ n: 1 }]);
      const ranked = await sql<{ n: number }>`SELECT n FROM engagement_partner_rollup WHERE dim = 'all' AND year = 2020`.execute(
        database.db,
      );
      expect(ranked.rows).toEqual([{ n: 1 }]);
    } finally {
      await database.close();
    }
  });

  it("moves the gifts a visit's details listed into the register's rows, in order, and leaves the details without them", async () => {
    const old = await openDatabase(place);
    let visitId: number;
    try {
      await migrateUpTo(old.db, "0025_part_of");
      const unit = await old.db
        .insertInto("units")
        .values({ parentId: null, kind: "bureau", key: "gift-bureau", nameEn: "Gift bureau", nameZh: "礼品局" })
        .returning("id")
        .executeTakeFirstOrThrow();
      const details = {
        itinerary: [{ date: "2024-05-05", description: "会谈" }],
        gifts: [
          { description: "景泰蓝花瓶", given: true, valueBand: "modest", recipient: "代表团团长" },
          { description: "Lacquer painting", given: false, note: "已上交" },
          { description: "", given: true },
        ],
      };
      visitId = (
        await old.db
          .insertInto("engagements")
          .values({
            type: "visit",
            direction: "received",
            status: "done",
            titleEn: "Visit of 2024",
            startDate: "2024-05-05",
            endDate: "2024-05-07",
            leadUnitId: unit.id,
            details: JSON.stringify(details),
          })
          .returning("id")
          .executeTakeFirstOrThrow()
      ).id;
      await migrateUpTo(old.db, "0026_gifts");
      const rows = await sql<Record<string, unknown>>`SELECT description, given, value_band, recipient, note, gift_date::text
        FROM gifts WHERE engagement_id = ${visitId} ORDER BY id`.execute(old.db);
      expect(rows.rows).toEqual([
        { description: "景泰蓝花瓶", given: true, valueBand: "modest", recipient: "代表团团长", note: null, giftDate: "2024-05-05" },
        { description: "Lacquer painting", given: false, valueBand: null, recipient: null, note: "已上交", giftDate: "2024-05-05" },
      ]);
      const left = await sql<{ details: Record<string, unknown> }>`SELECT details FROM engagements WHERE id = ${visitId}`.execute(old.db);
      expect(left.rows[0]?.details).toEqual({ itinerary: [{ date: "2024-05-05", description: "会谈" }] });
    } finally {
      await old.close();
    }
  });
});
