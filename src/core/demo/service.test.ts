import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorInFreshUnit, administrator } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { login } from "../auth/service.ts";
import { listCoordinationAlerts } from "../engagements/alerts.ts";
import { approvalQueue } from "../engagements/approvals.ts";
import { countEngagements } from "../engagements/counts.ts";
import { createEngagement, listEngagements } from "../engagements/service.ts";
import { standingDrift } from "../organisations/store.ts";
import { importReference } from "../reference/service.ts";
import { setRelationship } from "../relationships/service.ts";
import type { Actor } from "../shared/actor.ts";
import { demoPassword, demoState, demoUsers, removeDemo, seedDemo } from "./service.ts";

let database: Database;
let admin: Actor;

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
  await importReference(admin);
}, 120_000);
afterAll(() => database.close());

/** What the demo holds, independent of ids: every engagement with its partners' Party Facts ids. */
async function fingerprint(): Promise<string> {
  const rows = await sql<{ line: string }>`SELECT e.type || e.direction || coalesce(e.subtype, '') || e.start_date || e.title_en || ':' ||
      coalesce(string_agg(coalesce(o.partyfacts_id::text, o.name_en), ',' ORDER BY o.partyfacts_id, o.name_en), '') AS line
    FROM engagements e LEFT JOIN engagement_participants p ON p.engagement_id = e.id LEFT JOIN organisations o ON o.id = p.organisation_id
    WHERE e.demo GROUP BY e.id ORDER BY 1`.execute(db());
  return rows.rows.map((r) => r.line).join("\n");
}

const programmeId = async (nameEn: string) =>
  (await db().selectFrom("programmes").select("id").where("nameEn", "=", nameEn).executeTakeFirstOrThrow()).id;

describe("the demo", () => {
  // Two loads of ten years of demo work, each with a rebuild of the rollups: about 30 s alone, past
  // the default minute when the machine's two cores are shared with the other test files.
  it("loads ten years of every engagement type, the same every time, marked as demo", async () => {
    expect(await demoState()).toBe("never");
    const first = await seedDemo(admin);
    expect(first.engagements).toBeGreaterThan(5000);
    const once = await fingerprint();
    await seedDemo(admin);
    expect(await fingerprint()).toBe(once);
    expect(await demoState()).toBe("loaded");
    // What a name search ranks partners by was kept through the load: hundreds engaged, none amiss.
    const engaged = await db()
      .selectFrom("organisations")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("engaged", "=", true)
      .executeTakeFirstOrThrow();
    expect(Number(engaged.n)).toBeGreaterThan(100);
    expect(await standingDrift(db())).toEqual([]);
    const types = await sql<{ type: string; years: number }>`SELECT type, count(DISTINCT extract(year FROM start_date))::int AS years
      FROM engagements WHERE demo GROUP BY type ORDER BY type`.execute(db());
    expect(types.rows.map((r) => r.type)).toEqual(["assistance", "correspondence", "event", "statement", "talks", "training", "visit"]);
    const span = await sql<{
      lo: string;
      hi: string;
    }>`SELECT min(start_date)::text AS lo, max(start_date)::text AS hi FROM engagements WHERE demo AND status = 'done'`.execute(db());
    expect(span.rows[0]?.lo.startsWith("2012")).toBe(true);
    const queue = await approvalQueue(admin, { state: "submitted" });
    expect(queue.items.map((i) => i.title.en).sort()).toEqual([
      "Delegation to Viet Nam: exchange on party building",
      "Thematic briefing for foreign envoys in Zhejiang",
    ]);
    const asiaEditor = await db()
      .selectFrom("userRoles as r")
      .innerJoin("users as u", "u.id", "r.userId")
      .select(["u.id", "r.unitId"])
      .where("u.username", "=", "demo.asia.editor")
      .executeTakeFirstOrThrow();
    const alerts = await listCoordinationAlerts({
      userId: asiaEditor.id,
      username: "demo.asia.editor",
      unitId: asiaEditor.unitId,
      roles: [{ unitId: asiaEditor.unitId, role: "editor" }],
    });
    expect(alerts.length).toBeGreaterThan(0);
    expect(span.rows[0]?.hi.startsWith("2022")).toBe(true);
    // Besides the record of 2012–2022, work planned for 2027 in every approval state.
    const planned = await sql<{ approval: string | null; n: number }>`SELECT approval, count(*)::int AS n FROM engagements
      WHERE demo AND status = 'planned' GROUP BY approval ORDER BY approval NULLS LAST`.execute(db());
    expect(planned.rows).toEqual([
      { approval: "approved", n: 1 },
      { approval: "draft", n: 1 },
      { approval: "returned", n: 1 },
      { approval: "submitted", n: 2 },
      { approval: null, n: 1 },
    ]);
    expect(await db().selectFrom("engagements").select("id").where("demo", "=", false).execute()).toEqual([]);
  }, 120_000);

  it("answers the reference's part II figures from its data", async () => {
    const centenary = await countEngagements(admin, {
      by: "none",
      type: "correspondence",
      subtype: "congratulatory_message",
      programmeId: await programmeId("Congratulations on the centenary"),
    });
    expect(centenary.total.engagements).toBeGreaterThan(1500);
    expect(centenary.total.organisations).toBeGreaterThan(600);
    expect(centenary.total.countries).toBeGreaterThanOrEqual(170);
    const statements = await countEngagements(admin, { by: "none", type: "statement", from: "2022-01-01", to: "2022-12-31" });
    expect(statements.total.organisations).toBeGreaterThan(500);
    expect(statements.total.countries).toBeGreaterThan(150);
    const medicine = await countEngagements(admin, { by: "none", type: "assistance", subtype: "medical" });
    expect(medicine.total.organisations).toBeGreaterThanOrEqual(390);
    expect(medicine.total.organisations).toBeLessThan(400);
    expect(medicine.total.countries).toBe(149);
    const outreach = await countEngagements(admin, {
      by: "type",
      programmeId: await programmeId("Briefings on the 19th National Congress"),
    });
    const row = (key: string) => outreach.rows.find((r) => r.key === key);
    expect(row("visit:sent")?.engagements).toBeGreaterThan(30);
    expect(row("visit:sent")?.countries).toBeGreaterThanOrEqual(95);
    expect(row("event:hosted")?.engagements).toBeGreaterThan(500);
    const briefings = await countEngagements(admin, { by: "none", subtype: "thematic_briefing" });
    expect(briefings.total.engagements).toBe(14);
    const formats = await sql<{
      subtype: string;
    }>`SELECT DISTINCT subtype FROM engagements WHERE demo AND type = 'event' ORDER BY 1`.execute(db());
    expect(formats.rows.map((r) => r.subtype)).toEqual(
      expect.arrayContaining(["high_level_dialogue", "summit", "forum", "thematic_briefing", "briefing", "seminar"]),
    );
    const mechanisms = await db().selectFrom("mechanisms").select("nameEn").where("demo", "=", true).orderBy("nameEn").execute();
    expect(mechanisms.map((m) => m.nameEn)).toEqual([
      "BRICS Political Parties, Think Tanks and CSO Forum",
      "SCO Political Parties Forum",
      "Theoretical seminars with socialist parties",
    ]);
  });

  it("has a demo account for each role, and each sees what its role and unit allow", async () => {
    const context = { ip: "127.0.0.1", userAgent: null };
    const signIn = async (username: string) => (await login({ username, password: demoPassword }, context)).actor;
    const everything = (await listEngagements(admin, { pageSize: 1 })).total;
    const coordinator = await signIn("demo.coordinator");
    expect((await listEngagements(coordinator, { pageSize: 1 })).total).toBe(everything);
    const viewer = await signIn("demo.africa.viewer");
    const africa = await listEngagements(viewer, { pageSize: 200 });
    expect(africa.total).toBeGreaterThan(100);
    expect(africa.total).toBeLessThan(everything / 2);
    expect(new Set(africa.items.map((i) => i.leadUnit.name.en))).toEqual(new Set(["Africa Bureau"]));
    await expect(
      createEngagement(viewer, { type: "talks", direction: "none", titleEn: "x", startDate: "2022-01-01", leadUnitId: viewer.unitId }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const zhejiang = await signIn("demo.zhejiang.editor");
    const briefing = await listEngagements(zhejiang, { subtype: "thematic_briefing" });
    expect(briefing.items.map((i) => i.leadUnit.name.en)).toContain("Central Office");
    for (const u of demoUsers) expect((await signIn(u.username)).roles).toHaveLength(1);
  });

  it("contacts most partners rarely and a few often", async () => {
    const spread = await sql<{ once: number; often: number; partners: number }>`SELECT count(*) FILTER (WHERE n <= 3)::int AS once,
        count(*) FILTER (WHERE n >= 20)::int AS often, count(*)::int AS partners
      FROM (SELECT organisation_id, count(*) AS n FROM engagement_participants GROUP BY 1) x`.execute(db());
    const s = spread.rows[0] as { once: number; often: number; partners: number };
    expect(s.once / s.partners).toBeGreaterThan(0.45);
    expect(s.often).toBeGreaterThan(10);
    expect(s.often / s.partners).toBeLessThan(0.1);
  });

  it("refuses to remove demo units that users' records depend on, then removes cleanly", async () => {
    const bureau = await db().selectFrom("units").select("id").where("key", "=", "demo-africa").executeTakeFirstOrThrow();
    const mine = await createEngagement(admin, {
      type: "talks",
      direction: "none",
      titleEn: "Users' own",
      startDate: "2023-01-05",
      leadUnitId: bureau.id,
    });
    await expect(removeDemo(admin)).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await fingerprint()).length).toBeGreaterThan(0);
    // The demo's relationships go with it; one a user edited stays.
    const demoRelations = await db().selectFrom("relationships").select(["organisationId", "level"]).where("demo", "=", true).execute();
    expect(demoRelations.length).toBeGreaterThan(100);
    const levels = new Set(demoRelations.map((r) => r.level));
    expect([...levels].sort()).toEqual(["contact", "established", "regular", "strategic"]);
    const kept = demoRelations[0]?.organisationId as number;
    await setRelationship(admin, kept, { level: "strategic", since: "2015-01-01" });
    const editor = await actorInFreshUnit("editor");
    await db().updateTable("engagements").set({ leadUnitId: editor.unitId }).where("id", "=", mine.id).execute();
    await removeDemo(admin);
    expect(await fingerprint()).toBe("");
    expect(await demoState()).toBe("removed");
    expect(await db().selectFrom("relationships").select(["organisationId", "demo"]).execute()).toEqual([
      { organisationId: kept, demo: false },
    ]);
    expect(await standingDrift(db())).toEqual([]);
    for (const table of ["programmes", "mechanisms", "people"] as const) {
      expect(await db().selectFrom(table).select("id").where("demo", "=", true).execute()).toEqual([]);
    }
    // Only the units the audit names (the demo accounts signed in there) stay, as history.
    const units = await db().selectFrom("units").select("id").where("demo", "=", true).execute();
    const audited = await db().selectFrom("auditLog").select("unitId").distinct().execute();
    expect(units.length).toBeGreaterThan(0);
    expect(units.every((u) => audited.some((a) => a.unitId === u.id))).toBe(true);
    expect(units.length).toBeLessThan(5);
    expect(await db().selectFrom("organisations").select("id").where("source", "=", "demo").execute()).toEqual([]);
    // Accounts that signed in stay in the audit's history, disabled; none can sign in.
    const accounts = await db().selectFrom("users").select(["disabled"]).where("demo", "=", true).execute();
    expect(accounts.every((a) => a.disabled)).toBe(true);
    await expect(
      login({ username: "demo.coordinator", password: demoPassword }, { ip: "127.0.0.1", userAgent: null }),
    ).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
    });
    const left = await countEngagements(admin, { by: "none" });
    expect(left.total.engagements).toBe(1);
    await expect(removeDemo(await actorInFreshUnit("editor"))).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
