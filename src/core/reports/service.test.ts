import ExcelJS from "exceljs";
import { strFromU8, unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorAtCentre, actorInFreshUnit, administrator } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { createCountryGroup } from "../country-groups/service.ts";
import { seedDemo } from "../demo/service.ts";
import { countEngagements } from "../engagements/counts.ts";
import { createEngagement, listEngagements } from "../engagements/service.ts";
import { createLabel } from "../labels/service.ts";
import { addOrganisationStatus, createOrganisation } from "../organisations/service.ts";
import { importReference } from "../reference/service.ts";
import type { Actor } from "../shared/actor.ts";
import { createUnit } from "../units/service.ts";
import { prepareOverviewExport } from "./export.ts";
import {
  buildOverview,
  createSnapshot,
  createTemplate,
  getSnapshot,
  listSnapshots,
  nameKinds,
  previousPeriod,
  resetTemplate,
  setTemplate,
} from "./service.ts";
import type { newTemplateInput } from "./templates.ts";

let database: Database;
let admin: Actor;
const programme = async (nameEn: string) =>
  (await db().selectFrom("programmes").select("id").where("nameEn", "=", nameEn).executeTakeFirstOrThrow()).id;

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
  await importReference(admin);
  await seedDemo(admin);
}, 240_000);
afterAll(() => database.close());

const line = (report: Awaited<ReturnType<typeof buildOverview>>, key: string) => {
  const found = report.narrative.find((n) => n.key === key);
  if (!found) throw new Error(`No line ${key} in ${report.narrative.map((n) => n.key).join(", ")}`);
  return found;
};

describe("the overview reproduces the reference's part II from records", () => {
  it("the centenary: 1500多封贺电贺信 from 600多 parties in 170多 countries", async () => {
    const report = await buildOverview(admin, {
      from: "2021-01-01",
      to: "2021-12-31",
      programmeId: await programme("Congratulations on the centenary"),
    });
    const c = line(report, "congratulations");
    expect(c.zh).toBe("170多个国家的600多个政党和政治组织等发来1500多封贺电贺信");
    expect(c.en).toBe(
      "more than 1,500 congratulatory messages poured in from over 600 political parties and political organisations in 170 plus countries",
    );
    // The figures are counted from the messages themselves, and open the list behind them.
    expect(c.figures.engagements.value).toBeGreaterThan(1500);
    const behind = await listEngagements(admin, { ...c.drill, pageSize: 1 });
    expect(behind.total).toBe(c.figures.engagements.value);
  });

  it("statements: 150多个国家的500多个政党、智库和社会组织", async () => {
    const report = await buildOverview(admin, { from: "2022-01-01", to: "2022-12-31" });
    const s = line(report, "statements");
    expect(s.zh).toBe("150多个国家的500多个政党、智库和社会组织以不同方式表达支持");
    expect(s.en).toBe(
      "more than 500 political parties, think tanks and social organisations from over 150 countries expressed their support",
    );
  });

  it("medical assistance to 近400 parties in 149 countries, in the reference's words once an administrator edits the sentence", async () => {
    await setTemplate(admin, "medical_assistance", {
      zh: "向{countries:exact}个国家{partners}个政党提供新冠肺炎疫情防控和诊疗方案",
      en: "provided COVID-19 therapeutics to {partners} political parties of {countries:exact} countries",
    });
    const report = await buildOverview(admin, { from: "2020-01-01", to: "2022-12-31" });
    const m = line(report, "medical_assistance");
    expect(m.zh).toBe("向149个国家近400个政党提供新冠肺炎疫情防控和诊疗方案");
    expect(m.en).toBe("provided COVID-19 therapeutics to nearly 400 political parties of 149 countries");
    await resetTemplate(admin, "medical_assistance");
    expect(line(await buildOverview(admin, { from: "2020-01-01", to: "2022-12-31" }), "medical_assistance").zh).toBe(
      "向149个国家的近400个政党提供医疗援助",
    );
  });

  it("the 19th Congress outreach: 30多 delegations, 500多 briefing events; 14 thematic briefings", async () => {
    const report = await buildOverview(admin, {
      from: "2017-10-01",
      to: "2018-12-31",
      programmeId: await programme("Briefings on the 19th National Congress"),
    });
    expect(line(report, "visits_sent").zh).toMatch(/^派出30多个代表团访问(近)?100个国家/);
    expect(line(report, "visits_sent").en).toMatch(/^sent more than 30 delegations to (nearly )?100 countries/);
    expect(line(report, "events_hosted").zh).toMatch(/^举办500多场活动/);
    const all = await buildOverview(admin, { from: "2012-01-01", to: "2022-12-31" });
    expect(line(all, "thematic_briefings").zh).toBe("举办14场专题宣介会");
    expect(line(all, "thematic_briefings").en).toBe("hosted 14 thematic briefings");
  });

  it("keeps one sentence when a part is the whole, and says 其中 when it is a part", async () => {
    const period = { from: "2020-01-01", to: "2022-12-31" };
    const before = await buildOverview(admin, period);
    // All of the period's assistance was medical: the medical sentence alone, not the same figures twice.
    expect(before.narrative.map((n) => n.key)).toContain("medical_assistance");
    expect(before.narrative.map((n) => n.key)).not.toContain("assistance");
    const medical = line(before, "medical_assistance");
    const party = await db().selectFrom("organisations").select("id").where("partyfactsId", "=", 4898).executeTakeFirstOrThrow();
    await createEngagement(admin, {
      type: "assistance",
      direction: "sent",
      subtype: "material",
      titleEn: "Office equipment",
      startDate: "2022-05-05",
      status: "done",
      leadUnitId: admin.unitId,
      participants: [{ organisationId: party.id, role: "recipient" }],
    });
    const after = await buildOverview(admin, period);
    const keys = after.narrative.map((n) => n.key);
    expect(keys.indexOf("medical_assistance")).toBe(keys.indexOf("assistance") + 1);
    expect(line(after, "medical_assistance").zh).toBe(`其中${medical.zh}`);
    expect(line(after, "medical_assistance").en).toBe(`${medical.en} (part of the above)`);
    expect(line(after, "assistance").figures.engagements.value).toBe(medical.figures.engagements.value + 1);
  });

  it("names the flagship events in sentences of their own, before the count of hosted events", async () => {
    const year = await buildOverview(admin, { from: "2021-01-01", to: "2021-12-31" });
    const keys = year.narrative.map((n) => n.key);
    const summit = year.narrative.find((n) => n.key.startsWith("flagship_"));
    expect(summit?.zh).toMatch(/^举办中国共产党与世界政党领导人峰会，\d+多?个国家的\d+多个政党(和政治组织)?参加$/);
    expect(summit?.en).toMatch(
      /^hosted the CPC and World Political Parties Summit, attended by over \d+ political parties.* from over \d+ countries$/,
    );
    expect(keys.indexOf(summit?.key ?? "")).toBeLessThan(keys.indexOf("events_hosted"));
    // The figures are the event's own: its participants, counted once.
    const id = Number(summit?.key.slice("flagship_".length));
    const participants = await db()
      .selectFrom("engagementParticipants")
      .select((eb) => eb.fn.count<number>("organisationId").distinct().as("n"))
      .where("engagementId", "=", id)
      .executeTakeFirstOrThrow();
    expect(summit?.figures.partners.value).toBe(Number(participants.n));
    // Its drill-down opens that event alone.
    const behind = await listEngagements(admin, summit?.drill ?? {});
    expect(behind.items.map((e) => e.id)).toEqual([id]);
    const decade = await buildOverview(admin, { from: "2012-11-15", to: "2022-10-20" });
    const named = decade.narrative.filter((n) => n.key.startsWith("flagship_")).map((n) => n.zh.split("，")[0]);
    expect(named).toEqual(["举办中国共产党与世界政党高层对话会", "举办中国共产党与世界政党领导人峰会"]);
  });

  it("states the overview as one complete sentence, naming the partners by their kinds, never 伙伴", async () => {
    const report = await buildOverview(admin, { from: "2021-01-01", to: "2021-12-31" });
    expect(report.summary?.zh).toMatch(
      /^本期共开展对外交往[^，]+次，同[^，]+个国家(和地区)?的[^，]+个政党[^，]*开展交往，其中[^，]+的[^，]+个政党在交往时处于执政地位。$/,
    );
    expect(report.summary?.zh).not.toContain("伙伴");
    expect(report.summary?.en).toMatch(
      /^In the period there were .+ engagements with .+ political parties.* in .+ countries; .+ of them, in .+, were parties in government when we met them\.$/,
    );
    expect(nameKinds([{ key: "political_party", organisations: 600 }])).toEqual({ zh: "政党", en: "political parties" });
    expect(
      nameKinds([
        { key: "movement", organisations: 3 },
        { key: "political_party", organisations: 600 },
      ]),
    ).toEqual({ zh: "政党和政治组织", en: "political parties and political organisations" });
    expect(
      nameKinds([
        { key: "political_party", organisations: 500 },
        { key: "think_tank", organisations: 30 },
        { key: "civil_society", organisations: 20 },
        { key: "media", organisations: 0 },
      ]),
    ).toEqual({ zh: "政党、智库和社会组织", en: "political parties, think tanks and social organisations" });
    expect(
      nameKinds([
        { key: "political_party", organisations: 500 },
        { key: "think_tank", organisations: 30 },
        { key: "civil_society", organisations: 20 },
        { key: "media", organisations: 2 },
      ]).zh,
    ).toBe("政党、智库和社会组织等");
  });

  it("gives exact figures on request, and follows the report's rules", async () => {
    const report = await buildOverview(admin, {
      from: "2021-01-01",
      to: "2021-12-31",
      programmeId: await programme("Congratulations on the centenary"),
      mode: "exact",
    });
    const c = line(report, "congratulations");
    expect(c.zh).toBe(
      `${c.figures.countries.value}个国家的${c.figures.partners.value}个政党和政治组织等发来${c.figures.engagements.value}封贺电贺信`,
    );
  });
});

describe("the overview", () => {
  it("compares with the previous period of the same length", async () => {
    expect(previousPeriod("2021-01-01", "2021-12-31")).toEqual({ from: "2020-01-01", to: "2020-12-31" });
    expect(previousPeriod("2022-03-01", "2022-03-31")).toEqual({ from: "2022-02-01", to: "2022-02-28" });
    expect(previousPeriod("2021-01-01", "2022-12-31")).toEqual({ from: "2019-01-01", to: "2020-12-31" });
    expect(previousPeriod("2022-03-10", "2022-03-19")).toEqual({ from: "2022-02-28", to: "2022-03-09" });
    const report = await buildOverview(admin, { from: "2021-01-01", to: "2021-12-31" });
    const before = await buildOverview(admin, { from: "2020-01-01", to: "2020-12-31", compare: "false" });
    expect(report.totals.previous).toEqual({
      engagements: before.totals.engagements,
      organisations: before.totals.organisations,
      countries: before.totals.countries,
      regions: before.totals.regions,
    });
    expect(before.previousPeriod).toBeNull();
    const visits = report.byType.find((r) => r.key === "visit:sent");
    expect(visits?.previous?.engagements).toBe(before.byType.find((r) => r.key === "visit:sent")?.engagements ?? 0);
    expect(report.topPartners.length).toBe(10);
    // Lines read from the counts by type, or counted on their own: either way the count of their filter.
    // (A flagship event's line counts that event alone: see the test of flagship events.)
    for (const n of report.narrative.filter((line) => !line.key.startsWith("flagship_"))) {
      const { type, direction, subtype } = n.drill;
      const counted = await countEngagements(admin, { by: "none", from: "2021-01-01", to: "2021-12-31", type, direction, subtype });
      expect([n.figures.engagements.value, n.figures.partners.value, n.figures.countries.value]).toEqual([
        counted.total.engagements,
        counted.total.organisations,
        counted.total.countries,
      ]);
      const countedBefore = await countEngagements(admin, { by: "none", from: "2020-01-01", to: "2020-12-31", type, direction, subtype });
      expect(n.previous).toEqual(countedBefore.total);
    }
    expect(report.topCountries.length).toBe(10);
    expect(report.regions).toBeGreaterThan(3);
  });

  it("covers a unit with or without its sub-units", async () => {
    const parent = (
      await createUnit(admin, { kind: "bureau", key: "tree-parent", nameEn: "Parent", nameZh: "上级", parentId: admin.unitId })
    ).id;
    const child = (
      await createUnit(admin, { kind: "local_committee", key: "tree-child", nameEn: "Child", nameZh: "下级", parentId: parent })
    ).id;
    await createEngagement(admin, {
      type: "talks",
      direction: "none",
      titleEn: "The child's talks",
      startDate: "2024-04-04",
      leadUnitId: child,
    });
    const alone = await buildOverview(admin, { from: "2024-01-01", to: "2024-12-31", unitId: parent });
    expect(alone.totals.engagements).toBe(0);
    const withChildren = await buildOverview(admin, { from: "2024-01-01", to: "2024-12-31", unitId: parent, subunits: "true" });
    expect(withChildren.totals.engagements).toBe(1);
    expect(withChildren.totals.drill).toMatchObject({ unitId: String(parent), subunits: "true", unitRole: "lead" });
    expect((await listEngagements(admin, { ...withChildren.totals.drill, pageSize: 10 })).total).toBe(1);
    // Co-organised by the parent but led elsewhere: in the parent's list, not in its figures nor behind them.
    await createEngagement(admin, {
      type: "talks",
      direction: "none",
      titleEn: "Co-organised",
      startDate: "2024-05-05",
      leadUnitId: admin.unitId,
      coUnitIds: [parent],
    });
    expect((await listEngagements(admin, { unitId: parent, from: "2024-01-01", to: "2024-12-31" })).total).toBe(1);
    expect((await listEngagements(admin, { ...alone.totals.drill })).total).toBe(0);
    expect((await buildOverview(admin, { from: "2024-01-01", to: "2024-12-31", unitId: parent })).totals.engagements).toBe(0);
  });

  it("counts only what the reader may see", async () => {
    const outsider = await actorInFreshUnit("editor");
    await createEngagement(outsider, {
      type: "talks",
      direction: "none",
      titleEn: "Outsider's talks",
      startDate: "2021-05-05",
      leadUnitId: outsider.unitId,
    });
    const theirs = await buildOverview(outsider, { from: "2021-01-01", to: "2021-12-31" });
    expect(theirs.totals.engagements).toBe(1);
    // From their unit's slices of the rollups, as fast as the administrator's.
    expect(theirs.source).toBe("rollup");
  });

  it("writes small figures as a person would: one place by name, one partner by name, no 1个…的1个", async () => {
    const unit = (
      await createUnit(admin, { kind: "bureau", key: "number-agreement", nameEn: "Number", nameZh: "单复数", parentId: admin.unitId })
    ).id;
    const partyOf = async (countryCode: string, like = "%") =>
      (
        await db()
          .selectFrom("organisations")
          .select("id")
          .where("kind", "=", "political_party")
          .where("countryCode", "=", countryCode)
          .where("nameEn", "like", like)
          .orderBy("id")
          .executeTakeFirstOrThrow()
      ).id;
    const add = (startDate: string, organisationId: number, kind: "visit" | "message" = "visit") =>
      createEngagement(admin, {
        ...(kind === "visit"
          ? { type: "visit", direction: "sent", titleEn: "Visit" }
          : { type: "correspondence", direction: "received", subtype: "congratulatory_message", titleEn: "Message" }),
        status: "done",
        startDate,
        leadUnitId: unit,
        participants: [{ organisationId, role: kind === "visit" ? "host" : "sender" }],
      });
    const report = async () => buildOverview(admin, { from: "2025-01-01", to: "2025-12-31", unitId: unit });
    const cpv = await partyOf("VNM", "Communist Party of V%");
    await add("2025-06-01", cpv);
    // A suggested Chinese name is marked as such, as everywhere in reports.
    expect(line(await report(), "visits_sent").zh).toBe("派出代表团访问越南，会见越南共产党（暂译）");
    await db().updateTable("organisations").set({ nameZhStatus: "confirmed" }).where("id", "=", cpv).execute();
    expect(line(await report(), "visits_sent").zh).toBe("派出代表团访问越南，会见越南共产党");
    expect(line(await report(), "visits_sent").en).toBe("sent a delegation to Vietnam, meeting the Communist Party of Vietnam");
    await add("2025-06-20", cpv);
    expect(line(await report(), "visits_sent").zh).toBe("派出2个代表团访问越南，会见越南共产党");
    expect(line(await report(), "visits_sent").en).toBe("sent 2 delegations to Vietnam, meeting the Communist Party of Vietnam");
    await add("2025-07-01", await partyOf("CUB"));
    expect(line(await report(), "visits_sent").zh).toBe("派出3个代表团访问2个国家，会见2个政党和组织");
    expect(line(await report(), "visits_sent").en).toBe("sent 3 delegations to 2 countries, meeting 2 political parties and organisations");
    // One message from one party: that party sent it; three from one country: the country is named.
    await add("2025-07-01", cpv, "message");
    expect(line(await report(), "congratulations").zh).toBe("越南共产党发来贺电贺信");
    expect(line(await report(), "congratulations").en).toBe("the Communist Party of Vietnam sent a congratulatory message");
    await add("2025-07-02", await partyOf("VNM", "%Front%"), "message");
    await add("2025-07-03", await partyOf("VNM", "%Front%"), "message");
    const three = line(await report(), "congratulations");
    expect(three.zh).toBe("越南的2个政党和政治组织等发来3封贺电贺信");
    expect(three.en).toBe("3 congratulatory messages poured in from 2 political parties and political organisations in Vietnam");
    for (const n of (await report()).narrative) expect(n.zh).not.toMatch(/(^|[^\d])1个/);
  });

  it("keeps to a country group, and the records behind it are the group's", async () => {
    await createCountryGroup(admin, { key: "southern-africa-test", nameEn: "Two countries", nameZh: "两国", countryCodes: ["ZAF", "NAM"] });
    const report = await buildOverview(admin, { from: "2021-01-01", to: "2021-12-31", countryGroup: "southern-africa-test" });
    expect(report.totals.engagements).toBeGreaterThan(0);
    expect(report.totals.countries).toBeLessThanOrEqual(2);
    expect(report.totals.drill).toMatchObject({ countryGroup: "southern-africa-test" });
    expect((await listEngagements(admin, { ...report.totals.drill, pageSize: 10 })).total).toBe(report.totals.engagements);
    for (const row of report.byType) {
      expect((await listEngagements(admin, { ...row.drill, pageSize: 10 })).total).toBe(row.engagements);
    }
  });

  it("keeps to a topic, and the records behind it are the topic's", async () => {
    const topic = await createLabel(admin, "topics", { key: "green-seminars", nameEn: "Green seminars", nameZh: "绿色研讨" });
    for (const day of ["2025-02-01", "2025-03-01"]) {
      await createEngagement(admin, {
        type: "event",
        direction: "hosted",
        subtype: "seminar",
        status: "done",
        titleEn: `Green seminar ${day}`,
        startDate: day,
        leadUnitId: admin.unitId,
        topicIds: [topic.id],
      });
    }
    const report = await buildOverview(admin, { from: "2025-01-01", to: "2025-12-31", topicId: topic.id });
    expect(report.totals.engagements).toBe(2);
    expect(report.byType.map((r) => [r.key, r.engagements])).toEqual([["event:hosted", 2]]);
    expect(report.totals.drill).toMatchObject({ topicId: String(topic.id) });
    const behind = await listEngagements(admin, { ...report.totals.drill, pageSize: 10 });
    expect(behind.items.map((e) => e.title.en).sort()).toEqual(["Green seminar 2025-02-01", "Green seminar 2025-03-01"]);
    const all = await buildOverview(admin, { from: "2025-01-01", to: "2025-12-31" });
    expect(all.totals.engagements).toBeGreaterThan(2);
  });

  it("answers as of the day: partners that were in government when we met them", async () => {
    const unit = (await createUnit(admin, { kind: "bureau", key: "as-of", nameEn: "As of", nameZh: "当日", parentId: admin.unitId })).id;
    const ruling = await createOrganisation(admin, {
      kind: "political_party",
      countryCode: "KEN",
      names: [{ kind: "official", lang: "en", value: "Ruling Until June" }],
    });
    const never = await createOrganisation(admin, {
      kind: "political_party",
      countryCode: "KEN",
      names: [{ kind: "official", lang: "en", value: "Never Governed" }],
    });
    await addOrganisationStatus(admin, ruling.id, { status: "in_government", validFrom: "2025-01-01", validTo: "2025-06-30" });
    const talks = (titleEn: string, startDate: string, organisationId: number) =>
      createEngagement(admin, {
        type: "talks",
        direction: "none",
        status: "done",
        titleEn,
        startDate,
        leadUnitId: unit,
        participants: [{ organisationId, role: "participant" }],
      });
    await talks("While ruling", "2025-03-01", ruling.id);
    await talks("The last day", "2025-06-30", ruling.id);
    await talks("After the election", "2025-09-01", ruling.id);
    await talks("Never", "2025-03-01", never.id);
    const report = await buildOverview(admin, { from: "2025-01-01", to: "2025-12-31", unitId: unit });
    expect(report.totals).toMatchObject({ engagements: 4, organisations: 2 });
    expect(report.inGovernment).toMatchObject({ engagements: 2, organisations: 1, countries: 1 });
    expect(report.inGovernment.drill).toMatchObject({ partnerStatus: "in_government", unitId: String(unit) });
    const behind = await listEngagements(admin, { ...report.inGovernment.drill, pageSize: 10 });
    expect(behind.items.map((e) => e.title.en).sort()).toEqual(["The last day", "While ruling"]);
    // The demo's parties governed 2012–2017 (the first of each country) and from 2018 (the next).
    const demo = await buildOverview(admin, { from: "2016-01-01", to: "2016-12-31" });
    expect(demo.inGovernment.organisations).toBeGreaterThan(10);
    expect(demo.inGovernment.organisations).toBeLessThan(demo.totals.organisations);
  });

  it("refuses unknown placeholders in a template, and bad periods", async () => {
    await expect(setTemplate(admin, "talks", { zh: "{meetings}次", en: "x" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: { fields: [{ path: "zh" }] },
    });
    await expect(setTemplate(admin, "talks", { zh: "{partners:roughly}", en: "x" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(setTemplate(admin, "talks", { zh: "x", en: "[talk|talks] held: {engagements}" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: { fields: [{ path: "en" }] },
    });
    await expect(setTemplate(admin, "no_such_line", { zh: "x", en: "x" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const editor = await actorInFreshUnit("editor");
    await expect(setTemplate(editor, "talks", { zh: "x", en: "x" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(buildOverview(admin, { from: "2021-12-31", to: "2021-01-01" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });
});

describe("snapshots", () => {
  it("freeze a report with the ids behind it; later records show as the difference", async () => {
    const editor = await actorInFreshUnit("editor");
    await createEngagement(editor, {
      type: "talks",
      direction: "none",
      titleEn: "Before the snapshot",
      startDate: "2023-03-03",
      leadUnitId: editor.unitId,
    });
    const snapshot = await createSnapshot(editor, { title: "Q1 2023", params: { from: "2023-01-01", to: "2023-03-31" } });
    expect(snapshot).toMatchObject({ title: "Q1 2023", engagements: 1, createdBy: { id: editor.userId }, unit: { id: editor.unitId } });
    await createEngagement(editor, {
      type: "talks",
      direction: "none",
      titleEn: "After the snapshot",
      startDate: "2023-02-02",
      leadUnitId: editor.unitId,
    });
    const detail = await getSnapshot(editor, snapshot.id);
    expect(detail.report.totals.engagements).toBe(1);
    expect(detail.live.totals.engagements).toBe(2);
    expect(detail.changes).toMatchObject({ added: 1, removed: 0, totals: { engagements: 1 } });
    // Another unit's editor does not find it; a coordinator does.
    const other = await actorInFreshUnit("editor");
    await expect(getSnapshot(other, snapshot.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await listSnapshots(other)).map((s) => s.id)).not.toContain(snapshot.id);
    const coordinator = await actorAtCentre("coordinator");
    expect((await listSnapshots(coordinator)).map((s) => s.id)).toContain(snapshot.id);
  });
});

describe("exports", () => {
  it("writes the report as DOCX, XLSX and CSV", async () => {
    const params = { from: "2021-01-01", to: "2021-12-31", programmeId: await programme("Congratulations on the centenary") };
    const docx = await prepareOverviewExport(admin, { ...params, format: "docx" });
    expect(docx.fileName).toBe("liaison-overview-2021-01-01-2021-12-31.docx");
    expect(docx.body.subarray(0, 2).toString("latin1")).toBe("PK");
    const parts = unzipSync(new Uint8Array(docx.body));
    const part = (name: string) => strFromU8(parts[name] as Uint8Array);
    const body = part("word/document.xml");
    const text = [...body.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join("");
    // The Chinese document first, then the English one: never interleaved line by line.
    expect(text.indexOf("对外工作情况综述")).toBeLessThan(text.indexOf("Overview of External Work"));
    expect(text.slice(0, text.indexOf("Overview of External Work"))).not.toMatch(/congratulatory|Engagements by type/);
    expect(text).toContain("（2021年1月1日至2021年12月31日）");
    expect(text).toContain("(1 January 2021 – 31 December 2021)");
    expect(text).toContain("一、总体情况");
    expect(text).toContain("（一）交往时执政的伙伴");
    // Partners and countries named in the document's language, never by ISO code.
    const chinese = text.slice(0, text.indexOf("Overview of External Work"));
    expect(chinese).toContain("主要伙伴");
    expect(chinese).not.toMatch(/(^|[^A-Z])(ZAF|IND|VNM|PRK)([^A-Z]|$)/);
    expect(chinese).toMatch(/南非|印度|越南|朝鲜/);
    // Official faces and sizes (仿宋 三号 body), no Word heading styles, page numbers and the mark.
    expect(body).toContain('w:eastAsia="仿宋"');
    expect(body).toContain('w:eastAsia="方正小标宋简体"');
    expect(body).not.toMatch(/w:pStyle w:val="Heading/);
    expect(body).toContain('w:val="32"');
    const footers = Object.keys(parts).filter((n) => /^word\/footer\d*\.xml$/.test(n));
    expect(footers.some((n) => /PAGE/.test(part(n)))).toBe(true);
    const headers = Object.keys(parts).filter((n) => /^word\/header\d*\.xml$/.test(n));
    expect(headers.map(part).join("")).toMatch(/内部|限制/);
    // Fixed column widths: a number column is narrow, a name wide, so no word is broken.
    expect(body).toContain('w:type="fixed"');
    const xlsx = await prepareOverviewExport(admin, { ...params, format: "xlsx" });
    expect(xlsx.body.subarray(0, 2).toString("latin1")).toBe("PK");
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const names = book.worksheets.map((w) => w.name);
    expect(names).toContain("按类型 Engagements by type");
    for (const name of names) expect(name.length).toBeLessThanOrEqual(31);
    expect(new Set(names).size).toBe(names.length);
    const byType = book.getWorksheet("按类型 Engagements by type") as ExcelJS.Worksheet;
    expect(byType.views[0]).toMatchObject({ state: "frozen", ySplit: 4 });
    expect(byType.getRow(3).getCell(3).value).toBe("次数");
    expect(byType.getRow(4).getCell(3).value).toBe("Engagements");
    expect(typeof byType.getRow(5).getCell(3).value).toBe("number");
    expect(byType.getColumn(1).width).toBeGreaterThan(10);
    const summary = book.worksheets[0] as ExcelJS.Worksheet;
    expect(String(summary.getRow(5).getCell(2).value)).toMatch(/^[A-Z0-9]/);
    const csv = (await prepareOverviewExport(admin, { ...params, format: "csv" })).body.toString("utf8");
    expect(csv.startsWith("\uFEFFSummary / 综述")).toBe(true);
    expect(csv).toContain("170多个国家的600多个政党和政治组织等发来1500多封贺电贺信");
    await expect(prepareOverviewExport(admin, { ...params, format: "pdf" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });
});

describe("part II of the reference, regenerated sentence by sentence from the demo's records", () => {
  const period = { from: "2012-11-15", to: "2022-10-20", leadInZh: "党的十八大以来", leadInEn: "Since the 18th CPC National Congress" };
  const kinds: string[] = [];
  const addKind = async (input: z.input<typeof newTemplateInput>) => {
    await createTemplate(admin, input);
    kinds.push(input.key);
  };
  afterAll(async () => {
    for (const key of kinds) await resetTemplate(admin, key);
    await resetTemplate(admin, "thematic_briefings");
  });

  it("the administrator's sentence kinds give the reference's sentences, with their occasions and purposes", async () => {
    await addKind({
      key: "centenary_messages",
      label: { zh: "建党百年贺电贺信", en: "Messages on the centenary" },
      filter: {
        type: "correspondence",
        direction: "received",
        subtype: "congratulatory_message",
        programmeId: await programme("Congratulations on the centenary"),
      },
      zh: "{places}的{partners}个政党和政治组织等发来{engagements}封贺电贺信",
      en: "{engagements} congratulatory messages poured in from {partners:over} political parties and political organisations in {places:plus}",
      phrases: {
        occasion: { zh: "在中国共产党成立100周年之际", en: "Amid the centenary celebrations of the Communist Party of China" },
        purpose: {
          zh: "高度评价习近平总书记崇高的领袖风范和习近平新时代中国特色社会主义思想卓越的实践成效",
          en: "speaking highly of the charismatic leadership of General Secretary Xi Jinping and China’s outstanding achievements in practicing Xi Jinping Thought on Socialism with Chinese Characteristics for a New Era",
        },
      },
    });
    await addKind({
      key: "one_china_statements",
      label: { zh: "支持一个中国原则", en: "Support for the one-China principle" },
      filter: { type: "statement", direction: "received", programmeId: await programme("Statements on the one-China principle") },
      zh: "{places}的{partners}个政党、智库和社会组织以不同方式表达坚定支持一个中国原则",
      en: "{partners} political parties, think tanks and social organisations from {places:over} expressed through various means their stance of firmly supporting the One China Principle",
      phrases: {
        occasion: {
          zh: "近期，针对美国众议院议长佩洛西窜访我国台湾地区",
          en: "In the wake of the disgraceful visit by US Speaker Nancy Pelosi to the Taiwan region of China",
        },
        purpose: { zh: "给予我有力的舆论声援和道义支持", en: "forging a powerful momentum of public support and moral endorsement" },
      },
    });
    await addKind({
      key: "covid_therapeutics",
      label: { zh: "抗疫药物", en: "COVID-19 therapeutics" },
      filter: { type: "assistance", direction: "sent", programmeId: await programme("COVID-19 therapeutics for political parties") },
      zh: "向{countries:exact}个国家{partners}个政党提供新冠肺炎疫情防控和诊疗方案",
      en: "provided COVID-19 therapeutics to {partners} political parties of {countries:exact} countries",
      phrases: { purpose: { zh: "推动构建人类卫生健康共同体", en: "in a bid to build a global community of health for all" } },
    });
    const outreach = await programme("Briefings on the 19th National Congress");
    await addKind({
      key: "congress_outreach",
      label: { zh: "十九大精神对外宣讲团", en: "Delegations on the 19th Congress" },
      filter: { type: "visit", direction: "sent", programmeId: outreach },
      zh: "先后组织{engagements}个十九大精神对外宣讲团",
      en: "{engagements:over} Chinese delegations were sent abroad to explain the outcome and implications of the 19th CPC National Congress",
    });
    await addKind({
      key: "congress_outreach_events",
      label: { zh: "十九大精神宣介活动", en: "Events on the 19th Congress" },
      filter: { type: "event", direction: "hosted", programmeId: outreach },
      zh: "在{places}开展{engagements}场形式多样的宣介活动",
      en: "they explained it in {places} before {engagements} groups of audience",
    });
    await setTemplate(admin, "thematic_briefings", {
      zh: "与地方党委共同举办{engagements}场“中国共产党的故事——习近平新时代中国特色社会主义思想在地方的实践”专题宣介会",
      en: "in collaboration with Party committees at subnational level, hosted {engagements} Thematic Briefings on “Stories of the CPC: Practice of Xi Jinping Thought on Socialism with Chinese Characteristics for a New Era”",
    });
    const report = await buildOverview(admin, period);
    const said = (key: string) => {
      const n = line(report, key);
      return { zh: n.zh, en: `${n.en.charAt(0).toUpperCase()}${n.en.slice(1)}` };
    };
    expect(said("centenary_messages")).toEqual({
      zh: "在中国共产党成立100周年之际，170多个国家的600多个政党和政治组织等发来1500多封贺电贺信，高度评价习近平总书记崇高的领袖风范和习近平新时代中国特色社会主义思想卓越的实践成效",
      en: "Amid the centenary celebrations of the Communist Party of China, more than 1,500 congratulatory messages poured in from over 600 political parties and political organisations in 170 plus countries, speaking highly of the charismatic leadership of General Secretary Xi Jinping and China’s outstanding achievements in practicing Xi Jinping Thought on Socialism with Chinese Characteristics for a New Era",
    });
    expect(said("one_china_statements")).toEqual({
      zh: "近期，针对美国众议院议长佩洛西窜访我国台湾地区，150多个国家的500多个政党、智库和社会组织以不同方式表达坚定支持一个中国原则，给予我有力的舆论声援和道义支持",
      en: "In the wake of the disgraceful visit by US Speaker Nancy Pelosi to the Taiwan region of China, more than 500 political parties, think tanks and social organisations from over 150 countries expressed through various means their stance of firmly supporting the One China Principle, forging a powerful momentum of public support and moral endorsement",
    });
    expect(said("covid_therapeutics")).toEqual({
      zh: "向149个国家近400个政党提供新冠肺炎疫情防控和诊疗方案，推动构建人类卫生健康共同体",
      en: "Provided COVID-19 therapeutics to nearly 400 political parties of 149 countries, in a bid to build a global community of health for all",
    });
    expect(said("congress_outreach")).toEqual({
      zh: "先后组织30多个十九大精神对外宣讲团",
      en: "Over 30 Chinese delegations were sent abroad to explain the outcome and implications of the 19th CPC National Congress",
    });
    expect(said("congress_outreach_events")).toEqual({
      zh: "在100个国家开展500多场形式多样的宣介活动",
      en: "They explained it in 100 countries before more than 500 groups of audience",
    });
    expect(said("thematic_briefings")).toEqual({
      zh: "与地方党委共同举办14场“中国共产党的故事——习近平新时代中国特色社会主义思想在地方的实践”专题宣介会",
      en: "In collaboration with Party committees at subnational level, hosted 14 Thematic Briefings on “Stories of the CPC: Practice of Xi Jinping Thought on Socialism with Chinese Characteristics for a New Era”",
    });
    // The two flagship events are named, each in its own sentence, with their figures.
    const flagships = report.narrative.filter((n) => n.key.startsWith("flagship_")).map((n) => n.zh);
    expect(flagships).toEqual([
      expect.stringMatching(/^举办中国共产党与世界政党高层对话会，\d+多个国家的\d+多个政党参加$/),
      expect.stringMatching(/^举办中国共产党与世界政党领导人峰会，\d+多个国家的\d+多个政党参加$/),
    ]);
    // The period's lead-in opens the summary.
    expect(report.summary?.zh).toMatch(/^党的十八大以来，共开展对外交往/);
    expect(report.summary?.en).toMatch(/^Since the 18th CPC National Congress, there have been /);
    // Each added kind opens exactly the records behind it.
    for (const key of kinds) {
      const n = line(report, key);
      expect((await listEngagements(admin, { ...n.drill, pageSize: 1 })).total, key).toBe(n.figures.engagements.value);
    }
  });

  it("an added kind is the administrator's alone to make, and its templates are checked", async () => {
    const editor = await actorInFreshUnit("editor");
    const kind = {
      key: "green_seminars",
      label: { zh: "绿色研讨", en: "Green seminars" },
      filter: { type: "event" },
      zh: "举办{engagements}场",
      en: "held {engagements}",
    };
    await expect(createTemplate(editor, kind)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(createTemplate(admin, { ...kind, key: "talks" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(createTemplate(admin, { ...kind, zh: "{partner}举办" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(createTemplate(admin, { ...kind, filter: { type: "dinner" } })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(createTemplate(admin, { ...kind, key: "Bad Key" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(setTemplate(admin, "talks", { zh: "x", en: "x", filter: { type: "event" } })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    const made = await createTemplate(admin, { ...kind, one: { zh: "{partner}举办{engagements:bare}[|场]", en: "{partner} held it" } });
    expect(made).toMatchObject({ key: "green_seminars", custom: true, edited: false, label: { zh: "绿色研讨" } });
    await expect(createTemplate(admin, kind)).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await resetTemplate(admin, "green_seminars")).custom).toBe(true);
    await expect(resetTemplate(admin, "green_seminars")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
