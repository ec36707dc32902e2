import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorInFreshUnit, administrator } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { fileStore } from "../files/storage.ts";
import { getOrganisation } from "../organisations/service.ts";
import { importGeography } from "../reference/service.ts";
import type { Actor } from "../shared/actor.ts";
import { countEngagements } from "./counts.ts";
import {
  addAttachment,
  createEngagement,
  deleteEngagement,
  getAttachment,
  getEngagement,
  listEngagements,
  organisationTimeline,
  removeAttachment,
  updateEngagement,
} from "./service.ts";

let database: Database;
let admin: Actor;
let editor: Actor;
const org: Record<string, number> = {};
let leader: number;

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
  await importGeography(admin);
  editor = await actorInFreshUnit("editor");
  for (const [key, kind, country, name] of [
    ["lao", "political_party", "LAO", "Lao People's Revolutionary Party"],
    ["anc", "political_party", "ZAF", "African National Congress"],
    ["tank", "think_tank", "BRA", "Instituto Exemplo"],
  ] as const) {
    org[key] = (
      await db().insertInto("organisations").values({ kind, countryCode: country, nameEn: name }).returning("id").executeTakeFirstOrThrow()
    ).id;
  }
  leader = (
    await db().insertInto("people").values({ nameEn: "Delegation Leader", countryCode: "LAO" }).returning("id").executeTakeFirstOrThrow()
  ).id;
});
afterAll(() => database.close());

function visit(overrides: Record<string, unknown> = {}) {
  return {
    type: "visit",
    direction: "received",
    titleEn: "Delegation of the Lao People's Revolutionary Party",
    titleZh: "老挝人民革命党代表团访华",
    startDate: "2019-04-02",
    endDate: "2019-04-08",
    timezone: "Asia/Shanghai",
    countryCode: "CHN",
    city: "Beijing",
    leadUnitId: editor.unitId,
    participants: [
      { organisationId: org.lao, personId: leader, role: "delegation_leader", rank: "Politburo member", precedence: 1 },
      { organisationId: org.lao, role: "member", rank: "Department head", precedence: 2 },
    ],
    details: {
      itinerary: [
        { date: "2019-04-03", city: "Beijing", description: "Talks", meetingOrganisationIds: [org.lao] },
        { date: "2019-04-05", countryCode: "CHN", city: "Hangzhou", description: "Rural revitalisation site visit" },
      ],
    },
    ...overrides,
  };
}

describe("engagements", () => {
  it("records a visit with its delegation and itinerary, derives the countries reached, and audits it", async () => {
    const e = await createEngagement(editor, visit());
    expect(e).toMatchObject({
      type: "visit",
      direction: "received",
      status: "done",
      title: { en: "Delegation of the Lao People's Revolutionary Party", zh: "老挝人民革命党代表团访华" },
      startDate: "2019-04-02",
      endDate: "2019-04-08",
      timezone: "Asia/Shanghai",
      place: { country: { code: "CHN" }, city: "Beijing" },
      leadUnit: { id: editor.unitId },
      participantCount: 2,
    });
    expect(e.participants.map((p) => [p.role, p.rank, p.precedence, p.person?.name.en ?? null])).toEqual([
      ["delegation_leader", "Politburo member", 1, "Delegation Leader"],
      ["member", "Department head", 2, null],
    ]);
    expect(e.countriesReached.map((c) => c.code)).toEqual(["LAO"]);
    expect(e.details).toMatchObject({ itinerary: [{ city: "Beijing" }, { city: "Hangzhou" }] });
    const audit = await db()
      .selectFrom("auditLog")
      .selectAll()
      .where("entity", "=", "engagement")
      .where("entityId", "=", String(e.id))
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["create"]);
  });

  it("refuses what a type does not allow, with the field named", async () => {
    const refused = async (input: Record<string, unknown>, path: string) => {
      await expect(createEngagement(editor, input)).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
        details: { fields: expect.arrayContaining([expect.objectContaining({ path })]) },
      });
    };
    await refused(visit({ direction: "hosted" }), "direction");
    await refused(visit({ subtype: "forum" }), "subtype");
    await refused(visit({ details: { itinerary: [{ date: "2019-02-30", description: "x" }] } }), "details.itinerary.0.date");
    await refused(visit({ details: { sessions: [] } }), "details");
    await refused(visit({ endDate: "2019-04-01" }), "endDate");
    await refused(visit({ timezone: "Mars/Olympus" }), "timezone");
    await refused(visit({ participants: [{ organisationId: 999_999, role: "guest" }] }), "participants");
    await refused(visit({ participants: [{ role: "guest" }] }), "participants.0.organisationId");
    await refused(visit({ leadUnitId: 999_999 }), "leadUnitId");
    await refused(visit({ countryCode: "ZZZ" }), "countryCode");
    await refused({ ...visit(), type: "event", direction: "hosted", subtype: "gala" }, "subtype");
    await refused({ ...visit({ details: {} }), type: "talks", direction: "none", mechanismId: 1 }, "mechanismId");
    await refused(
      { ...visit({ details: { issueEn: "Taiwan", stance: "support" } }), type: "statement", direction: "received", subtype: "support" },
      "details",
    );
    expect(await db().selectFrom("engagements").select("id").where("titleEn", "=", "nothing").execute()).toEqual([]);
  });

  it("links a reply to the letter it answers, and a thank-you letter to a visit", async () => {
    const letter = await createEngagement(editor, {
      type: "correspondence",
      direction: "received",
      subtype: "congratulatory_message",
      titleEn: "Congratulations on the centenary",
      startDate: "2021-07-01",
      leadUnitId: editor.unitId,
      participants: [{ organisationId: org.anc, role: "sender" }],
      details: { occasion: "anniversary", textEn: "Dear comrades,\nwe congratulate…", textZh: "亲爱的同志们：" },
    });
    const reply = await createEngagement(editor, {
      type: "correspondence",
      direction: "sent",
      subtype: "reply",
      titleEn: "Thanks for the congratulations",
      startDate: "2021-07-20",
      leadUnitId: editor.unitId,
      inReplyToId: letter.id,
      participants: [{ organisationId: org.anc, role: "recipient" }],
    });
    expect(reply.inReplyTo).toEqual({ id: letter.id, title: { en: "Congratulations on the centenary", zh: null } });
    expect((await getEngagement(editor, letter.id)).replies.map((r) => r.id)).toEqual([reply.id]);
    const trip = await createEngagement(editor, visit({ thankYouLetterId: reply.id }));
    expect(trip.thankYouLetter?.id).toBe(reply.id);
    await expect(createEngagement(editor, visit({ thankYouLetterId: trip.id }))).rejects.toMatchObject({
      details: { fields: [{ path: "thankYouLetterId" }] },
    });
    // Deleting the letter leaves the reply, unlinked.
    await deleteEngagement(editor, letter.id);
    expect((await getEngagement(editor, reply.id)).inReplyTo).toBeNull();
    await expect(getEngagement(editor, letter.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("records every type with its details: event with series and sessions, statement, assistance, training, talks", async () => {
    const event = await createEngagement(editor, {
      type: "event",
      direction: "hosted",
      subtype: "high_level_dialogue",
      titleEn: "High-level dialogue",
      startDate: "2017-11-30",
      endDate: "2017-12-03",
      leadUnitId: editor.unitId,
      participants: [
        { organisationId: org.anc, role: "co_host" },
        { organisationId: org.tank, role: "speaker" },
      ],
      details: {
        seriesEn: "CPC in Dialogue with World Political Parties",
        edition: 1,
        sessions: [{ titleEn: "Opening", date: "2017-12-01" }],
      },
    });
    expect(event.details).toMatchObject({ edition: 1, sessions: [{ titleEn: "Opening" }] });
    expect(event.countriesReached.map((c) => c.code)).toEqual(["BRA", "ZAF"]);
    const statement = await createEngagement(editor, {
      type: "statement",
      direction: "received",
      subtype: "support",
      titleEn: "Statement on the one-China principle",
      startDate: "2022-08-03",
      leadUnitId: editor.unitId,
      participants: [{ organisationId: org.anc, role: "author" }],
      details: { issueEn: "One-China principle", publishedIn: "Party website", url: "https://example.org/statement" },
    });
    expect(statement.details).toMatchObject({ issueEn: "One-China principle" });
    const aid = await createEngagement(editor, {
      type: "assistance",
      direction: "sent",
      subtype: "medical",
      titleEn: "COVID-19 therapeutics",
      startDate: "2022-05-01",
      leadUnitId: editor.unitId,
      participants: [
        { organisationId: org.anc, role: "recipient" },
        { organisationId: org.lao, role: "recipient" },
      ],
      details: { quantity: 20000, unitOfMeasure: "boxes" },
    });
    expect(aid.countriesReached.map((c) => c.code)).toEqual(["LAO", "ZAF"]);
    const training = await createEngagement(editor, {
      type: "training",
      direction: "hosted",
      titleEn: "Leading Cadres Workshop 2022",
      startDate: "2022-06-01",
      leadUnitId: editor.unitId,
      participants: [{ organisationId: org.anc, role: "participant" }],
      details: { cohort: "2022", hostingInstitution: "Mwalimu Julius Nyerere Leadership School" },
    });
    expect(training.details).toMatchObject({ cohort: "2022" });
    const call = await createEngagement(editor, {
      type: "talks",
      direction: "none",
      subtype: "video",
      titleEn: "Video call",
      startDate: "2020-04-01",
      leadUnitId: editor.unitId,
    });
    expect(call.subtype).toBe("video");
  });

  it("changes an engagement: new participants replace the old, a new date moves it in the partner's timeline", async () => {
    const e = await createEngagement(editor, visit({ startDate: "2015-01-10", endDate: null, details: {} }));
    expect(e.endDate).toBe("2015-01-10");
    const changed = await updateEngagement(editor, e.id, {
      startDate: "2023-03-01",
      participants: [{ organisationId: org.tank, role: "delegation_leader" }],
    });
    expect(changed.startDate).toBe("2023-03-01");
    expect(changed.endDate).toBe("2023-03-01");
    expect(changed.countriesReached.map((c) => c.code)).toEqual(["BRA"]);
    const timeline = await organisationTimeline(editor, org.tank as number, { pageSize: 1 });
    expect(timeline.items[0]?.id).toBe(e.id);
    await expect(updateEngagement(editor, e.id, {})).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    // A change that does not name the status keeps it.
    const planned = await createEngagement(editor, visit({ status: "planned", details: {} }));
    expect((await updateEngagement(editor, planned.id, { titleEn: "Renamed" })).status).toBe("planned");
    await expect(updateEngagement(editor, e.id, { endDate: "2000-01-01" })).rejects.toMatchObject({
      details: { fields: [{ path: "endDate" }] },
    });
    await expect(updateEngagement(editor, 999_999, { titleEn: "x" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("gives a partner's timeline newest first, in pages, by type", async () => {
    const all = await organisationTimeline(editor, org.anc as number, { pageSize: 2 });
    expect(all.items).toHaveLength(2);
    expect(all.total).toBeGreaterThanOrEqual(4);
    const dates = all.items.map((i) => i.startDate);
    expect([...dates].sort().reverse()).toEqual(dates);
    const second = await organisationTimeline(editor, org.anc as number, { pageSize: 2, page: 2 });
    expect((second.items[0]?.startDate ?? "") <= (dates[1] as string)).toBe(true);
    const events = await organisationTimeline(editor, org.anc as number, { type: "event" });
    expect(events.items.map((i) => i.type)).toEqual(["event"]);
    await expect(organisationTimeline(editor, 999_999)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("lists engagements by type, period, country reached, and words of the title in either language", async () => {
    const byType = await listEngagements(editor, { type: "assistance,training" });
    expect(new Set(byType.items.map((i) => i.type))).toEqual(new Set(["assistance", "training"]));
    const inPeriod = await listEngagements(editor, { from: "2022-01-01", to: "2022-12-31" });
    expect(inPeriod.items.every((i) => i.startDate >= "2022-01-01" && i.startDate <= "2022-12-31")).toBe(true);
    expect(inPeriod.items.length).toBeGreaterThanOrEqual(3);
    const laos = await listEngagements(editor, { country: "LAO" });
    expect(laos.items.length).toBeGreaterThanOrEqual(2);
    expect((await listEngagements(editor, { q: "代表团" })).items.length).toBeGreaterThanOrEqual(1);
    expect((await listEngagements(editor, { q: "therapeutics" })).items.map((i) => i.title.en)).toEqual(["COVID-19 therapeutics"]);
    await expect(listEngagements(editor, { type: "party" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("shows a unit only its own engagements and those it co-organised; others are not found", async () => {
    const other = await actorInFreshUnit("editor");
    const mine = await createEngagement(other, visit({ leadUnitId: other.unitId, titleEn: "Other unit's visit" }));
    const viewer = await actorInFreshUnit("viewer");
    await expect(getEngagement(viewer, mine.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await listEngagements(viewer, {})).items).toEqual([]);
    await expect(createEngagement(other, visit({ leadUnitId: viewer.unitId }))).rejects.toMatchObject({
      details: { fields: [{ path: "leadUnitId" }] },
    });
    await updateEngagement(other, mine.id, { coUnitIds: [viewer.unitId] });
    expect((await getEngagement(viewer, mine.id)).coUnits.map((u) => u.id)).toEqual([viewer.unitId]);
    expect((await listEngagements(viewer, {})).items.map((i) => i.id)).toEqual([mine.id]);
    await expect(updateEngagement(viewer, mine.id, { titleEn: "x" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    // An editor of a co-unit sees the engagement but does not change it; only the lead unit does.
    const coEditor = await actorInFreshUnit("editor");
    await updateEngagement(other, mine.id, { coUnitIds: [viewer.unitId, coEditor.unitId] });
    expect((await getEngagement(coEditor, mine.id)).id).toBe(mine.id);
    await expect(updateEngagement(coEditor, mine.id, { titleEn: "x" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(deleteEngagement(coEditor, mine.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      addAttachment(coEditor, mine.id, { fileName: "f.txt", contentType: "text/plain", data: Buffer.from("notes") }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(deleteEngagement(editor, mine.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    // "Who engaged this partner last" shows only what the reader may see.
    const seenByOther = await getOrganisation(other, org.lao as number);
    expect(seenByOther.lastEngagement).toMatchObject({ id: mine.id, leadUnit: { id: other.unitId } });
    const seenByEditor = await getOrganisation(editor, org.lao as number);
    expect(seenByEditor.lastEngagement?.leadUnit.id).toBe(editor.unitId);
    expect((await getOrganisation(await actorInFreshUnit("viewer"), org.lao as number)).lastEngagement).toBeNull();
  });
});

describe("attachments", () => {
  const pdf = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n");

  it("stores a file under the data directory and gives the same bytes back", async () => {
    const e = await createEngagement(editor, visit({ details: {} }));
    const a = await addAttachment(editor, e.id, { fileName: "../programme 日程.pdf", contentType: "application/pdf", data: pdf });
    expect(a).toMatchObject({ fileName: ".._programme 日程.pdf", contentType: "application/pdf", sizeBytes: pdf.length });
    const back = await getAttachment(editor, e.id, a.id);
    expect(back.data.equals(pdf)).toBe(true);
    expect((await getEngagement(editor, e.id)).attachments.map((x) => x.id)).toEqual([a.id]);
    const key = `attachments/${a.sha256.slice(0, 2)}/${a.sha256}`;
    // The same bytes twice are stored once, and kept until the last attachment goes.
    const twin = await addAttachment(editor, e.id, { fileName: "copy.pdf", contentType: "application/pdf", data: pdf });
    await removeAttachment(editor, e.id, a.id);
    expect((await fileStore().get(key)).equals(pdf)).toBe(true);
    await deleteEngagement(editor, e.id);
    await expect(fileStore().get(key)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(getAttachment(editor, e.id, twin.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses files of a type not accepted, content that is not what its type says, and files too large", async () => {
    const e = await createEngagement(editor, visit({ details: {} }));
    const add = (contentType: string, data: Buffer) => addAttachment(editor, e.id, { fileName: "f", contentType, data });
    await expect(add("application/x-msdownload", Buffer.from("MZ\x90\x00"))).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(add("application/pdf", Buffer.from("MZ\x90\x00 not a pdf"))).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(add("text/plain", Buffer.from([0x66, 0x00, 0x67]))).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(add("application/pdf", Buffer.alloc(0))).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    const previous = process.env.LIAISON_MAX_ATTACHMENT_MB;
    process.env.LIAISON_MAX_ATTACHMENT_MB = "0.00001";
    try {
      await expect(add("application/pdf", pdf)).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    } finally {
      if (previous === undefined) delete process.env.LIAISON_MAX_ATTACHMENT_MB;
      else process.env.LIAISON_MAX_ATTACHMENT_MB = previous;
    }
    expect((await getEngagement(editor, e.id)).attachments).toEqual([]);
    await expect(addAttachment(editor, 999_999, { fileName: "f", contentType: "application/pdf", data: pdf })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("classification", () => {
  it("hides restricted engagements from everyone without clearance, in every read, and lets only the cleared classify", async () => {
    const cleared = await actorInFreshUnit("editor");
    await db().updateTable("users").set({ clearance: true }).where("id", "=", cleared.userId).execute();
    const me = { ...cleared, clearance: true };
    await expect(
      createEngagement(cleared, visit({ leadUnitId: cleared.unitId, classification: "restricted", details: {} })),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const secret = await createEngagement(
      me,
      visit({ leadUnitId: me.unitId, titleEn: "Confidential talks", classification: "restricted", details: {} }),
    );
    expect(secret.classification).toBe("restricted");
    const open = await createEngagement(me, visit({ leadUnitId: me.unitId, titleEn: "Open visit", details: {} }));
    expect(open.classification).toBe("internal");
    // The same unit's colleague without clearance: not found, not listed, not counted, not on the timeline.
    const colleague = { ...me, userId: editor.userId, clearance: false };
    await expect(getEngagement(colleague, secret.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const listed = (await listEngagements(colleague, { unitId: me.unitId })).items.map((i) => i.id);
    expect(listed).toEqual([open.id]);
    expect((await listEngagements(me, { unitId: me.unitId })).items.map((i) => i.id).sort()).toEqual([open.id, secret.id].sort());
    // From the rollups' unrestricted slice of the unit.
    const counted = await countEngagements(colleague, { by: "none", unitId: me.unitId });
    expect(counted.source).toBe("rollup");
    expect(counted.total.engagements).toBe(1);
    expect((await countEngagements(me, { by: "none", unitId: me.unitId })).total.engagements).toBe(2);
    const timeline = (await organisationTimeline(colleague, org.lao as number, { pageSize: 200 })).items.map((i) => i.id);
    expect(timeline).not.toContain(secret.id);
    await expect(updateEngagement(colleague, open.id, { classification: "restricted" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    // A partner's page names the last engagement its reader may see: the same unit and role,
    // with and without clearance, read different pages (each reader's query is compiled apart).
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const latest = await createEngagement(
      me,
      visit({
        leadUnitId: me.unitId,
        titleEn: "Latest talks",
        classification: "restricted",
        startDate: yesterday,
        endDate: yesterday,
        details: {},
      }),
    );
    for (let i = 0; i < 3; i++) {
      expect((await getOrganisation(me, org.lao as number)).lastEngagement?.id).toBe(latest.id);
      expect((await getOrganisation(colleague, org.lao as number)).lastEngagement?.id).not.toBe(latest.id);
    }
    // Cleared later, the colleague reads it at once.
    expect((await getOrganisation({ ...colleague, clearance: true }, org.lao as number)).lastEngagement?.id).toBe(latest.id);
  });
});
