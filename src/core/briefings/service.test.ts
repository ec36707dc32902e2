import { strFromU8, unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorIn, administrator, freshUnit, registryParty, unique } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { createEngagement } from "../engagements/service.ts";
import { addPosition, createPerson } from "../people/service.ts";
import { importGeography } from "../reference/service.ts";
import type { Actor } from "../shared/actor.ts";
import { prepareBriefing } from "./service.ts";

let database: Database;
let editorA: Actor;
let clearedA: Actor;
let editorB: Actor;
let partner: number;
let visitId: number;
const tag = unique("b");

/** The text of a DOCX, run by run, and its XML (for the marks and faces). */
function textOf(body: Buffer): { text: string; xml: string } {
  const xml = strFromU8(unzipSync(new Uint8Array(body))["word/document.xml"] as Uint8Array);
  const headers = Object.entries(unzipSync(new Uint8Array(body)))
    .filter(([name]) => /^word\/header\d*\.xml$/.test(name))
    .map(([, bytes]) => strFromU8(bytes))
    .join("");
  const runs = (x: string) => [...x.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join("");
  return { text: runs(xml), xml: `${xml}${headers}${runs(headers)}` };
}

beforeAll(async () => {
  database = await openTestDatabase();
  const admin = await administrator();
  await importGeography(admin);
  const unitA = await freshUnit("Asia bureau");
  const unitB = await freshUnit("Africa bureau");
  editorA = await actorIn(unitA, "editor");
  clearedA = await actorIn(unitA, "editor", { clearance: true });
  editorB = await actorIn(unitB, "editor");
  partner = await registryParty(`Briefing Party ${tag}`, `简报党${tag}`, "VNM");
  const leader = await createPerson(admin, { nameEn: "Nguyen Van An", nameZh: "阮文安", countryCode: "VNM" });
  await addPosition(admin, leader.id, {
    organisationId: partner,
    titleEn: "General Secretary",
    titleZh: "总书记",
    startDate: "2021-01-31",
  });
  await createEngagement(editorA, {
    type: "correspondence",
    direction: "received",
    subtype: "congratulatory_message",
    titleZh: `简报党${tag}来电祝贺`,
    startDate: "2024-10-01",
    leadUnitId: unitA,
    participants: [{ organisationId: partner, role: "sender" }],
  });
  await createEngagement(editorB, {
    type: "talks",
    direction: "sent",
    subtype: "in_person",
    titleEn: `Africa bureau talks ${tag}`,
    startDate: "2024-06-01",
    leadUnitId: unitB,
    participants: [{ organisationId: partner, role: "host" }],
  });
  await createEngagement(clearedA, {
    type: "talks",
    direction: "none",
    titleEn: `Closed talks ${tag}`,
    startDate: "2024-03-01",
    leadUnitId: unitA,
    classification: "restricted",
    participants: [{ organisationId: partner, role: "participant" }],
  });
  visitId = (
    await createEngagement(editorA, {
      type: "visit",
      direction: "received",
      status: "planned",
      titleZh: `简报党${tag}代表团来访`,
      titleEn: `Visit of the Briefing Party ${tag}`,
      startDate: "2027-05-11",
      endDate: "2027-05-14",
      city: "北京",
      countryCode: "CHN",
      leadUnitId: unitA,
      participants: [
        { organisationId: partner, role: "delegation_leader" },
        { personId: leader.id, organisationId: partner, role: "delegation_leader", rank: "总书记" },
      ],
      details: {
        itinerary: [{ date: "2027-05-12", time: "上午", city: "北京", place: "人民大会堂", description: "会谈" }],
        delegationSize: 3,
        talkingPoints: "欢迎代表团来访\n介绍治党理政经验",
      },
    })
  ).id;
});
afterAll(() => database.close());

describe("briefing papers", () => {
  it("writes a partner's briefing in Chinese then English, from what the reader may see", async () => {
    const file = await prepareBriefing(editorA, { organisationId: partner });
    expect(file.fileName).toMatch(new RegExp(`^liaison-briefing-organisation-${partner}-\\d{4}-\\d{2}-\\d{2}\\.docx$`));
    const { text, xml } = textOf(file.body);
    const chinese = text.slice(0, text.indexOf("Briefing paper"));
    expect(chinese).toContain(`简报党${tag}背景材料`);
    expect(chinese).toContain("一、基本情况");
    expect(chinese).toContain("越南政党");
    expect(chinese).toContain("二、交往情况");
    // One exchange is the reader's to see: the other unit's talks and the restricted ones are not, and a plan is no exchange yet.
    expect(chinese).toContain(`自2024年以来，共有交往记录1次，其中函电1次；最近一次是2024年10月1日Asia bureau的“简报党${tag}来电祝贺”。`);
    expect(chinese).toContain("2024年10月1日");
    expect(text).not.toContain(`Africa bureau talks ${tag}`);
    expect(text).not.toContain(`Closed talks ${tag}`);
    expect(chinese).toContain("三、主要人物");
    expect(chinese).toContain("阮文安：总书记");
    expect(text).toContain(`Briefing Party ${tag}`);
    expect(text).toContain("I. The partner");
    expect(text).toContain("Nguyen Van An: General Secretary");
    expect(xml).toContain("内部");
    expect(xml).toContain('w:eastAsia="仿宋"');
    const audit = await db()
      .selectFrom("auditLog")
      .select("action")
      .where("action", "=", "export_briefing")
      .orderBy("id", "desc")
      .executeTakeFirst();
    expect(audit?.action).toBe("export_briefing");
  });

  it("briefs a visit: the engagement, its programme and talking points, then its partner; restricted work marks the paper", async () => {
    const { text } = textOf((await prepareBriefing(editorA, { engagementId: visitId })).body);
    const chinese = text.slice(0, text.indexOf("Briefing paper"));
    expect(chinese).toContain("一、活动概况");
    expect(chinese).toContain("接待来访，2027年5月11日至2027年5月14日，北京，中国，由Asia bureau主责，代表团共3人。");
    expect(chinese).toContain("阮文安，总书记");
    expect(chinese).toContain("二、日程安排");
    expect(chinese).toContain("2027年5月12日 上午 北京 人民大会堂：会谈");
    expect(chinese).toContain("三、谈话要点");
    expect(chinese).toContain("欢迎代表团来访介绍治党理政经验");
    expect(chinese).toContain(`四、外方情况：简报党${tag}`);
    expect(chinese).toContain("（一）基本情况");
    expect(text).toContain("II. Programme");
    expect(text).toContain("III. Talking points");
    // The cleared reader's paper names the restricted talks, and is marked so.
    const cleared = textOf((await prepareBriefing(clearedA, { organisationId: partner })).body);
    expect(cleared.text).toContain(`Closed talks ${tag}`);
    expect(cleared.xml).toContain("限制");
  });

  it("refuses another unit's engagement and a request that names nothing, or two things", async () => {
    await expect(prepareBriefing(editorB, { engagementId: visitId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    for (const bad of [{}, { organisationId: partner, engagementId: visitId }, { organisationId: "x" }]) {
      await expect(prepareBriefing(editorA, bad)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    }
    await expect(prepareBriefing(editorA, { organisationId: 424242424 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
