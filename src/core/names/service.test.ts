import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorInFreshUnit, administrator } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { seedDemo } from "../demo/service.ts";
import { createEngagement } from "../engagements/service.ts";
import { createOrganisation, getOrganisation, listOrganisations, updateOrganisation } from "../organisations/service.ts";
import { importReference } from "../reference/service.ts";
import { setRelationship } from "../relationships/service.ts";
import { prepareOverviewExport } from "../reports/export.ts";
import { buildOverview } from "../reports/service.ts";
import type { Actor } from "../shared/actor.ts";
import {
  acceptSuggestion,
  exportSuggestionsCsv,
  importReviewedNames,
  listSuggestions,
  rejectSuggestion,
  setNameSettings,
  suggestNames,
} from "./service.ts";

let database: Database;
let admin: Actor;
let editor: Actor;
const partyByPfId = async (partyfactsId: number) =>
  (await db().selectFrom("organisations").select("id").where("partyfactsId", "=", partyfactsId).executeTakeFirstOrThrow()).id;

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
  await importReference(admin);
  await seedDemo(admin);
  editor = await actorInFreshUnit("editor");
}, 240_000);
afterAll(() => database.close());

describe("Chinese names for every partner", () => {
  it("suggests a Chinese name for at least 90% of parties: all, those in government, those we have a relationship with", async () => {
    const share = await sql<{ all: number; inGovernment: number; related: number }>`
      SELECT avg((o.name_zh IS NOT NULL)::int)::float AS "all",
        avg((o.name_zh IS NOT NULL)::int) FILTER (WHERE EXISTS (SELECT 1 FROM organisation_statuses s WHERE s.organisation_id = o.id
          AND s.status = 'in_government' AND s.valid_to IS NULL))::float AS "inGovernment",
        avg((o.name_zh IS NOT NULL)::int) FILTER (WHERE EXISTS (SELECT 1 FROM relationships r WHERE r.organisation_id = o.id AND r.level <> 'none'))::float AS related
      FROM organisations o WHERE o.kind = 'political_party'`.execute(db());
    const figures = share.rows[0] as { all: number; inGovernment: number; related: number };
    const glossaryOnly = await sql<{ share: number }>`SELECT avg((s.method IN ('known', 'glossary'))::int)::float AS share
      FROM name_suggestions s JOIN organisations o ON o.id = s.organisation_id WHERE o.kind = 'political_party'`.execute(db());
    console.log(
      `parties with a Chinese name (confirmed or suggested): all ${(figures.all * 100).toFixed(1)}%, in government ${(figures.inGovernment * 100).toFixed(1)}%, with a relationship ${(figures.related * 100).toFixed(1)}%; suggestions made wholly from the glossary or settled usage: ${((glossaryOnly.rows[0]?.share ?? 0) * 100).toFixed(1)}%`,
    );
    expect(figures.all).toBeGreaterThanOrEqual(0.9);
    expect(figures.inGovernment).toBeGreaterThanOrEqual(0.9);
    expect(figures.related).toBeGreaterThanOrEqual(0.9);
    // The closest partners read in Chinese, as settled usage has them.
    const vietnam = await getOrganisation(editor, await partyByPfId(4898));
    expect(vietnam.name.zh).toBe("越南共产党");
    expect(vietnam.nameZhSuggested).toBe(true);
    expect(vietnam.nameSuggestion).toMatchObject({ zh: "越南共产党", short: "越共", method: "known" });
  });

  it("marks a suggested name wherever a partner is named: participants, top partners, the exported report", async () => {
    const cpc = await partyByPfId(4898);
    const talks = await createEngagement(admin, {
      type: "talks",
      direction: "none",
      titleEn: "Talks in 2011",
      startDate: "2011-05-04",
      leadUnitId: admin.unitId,
      participants: [{ organisationId: cpc, role: "participant" }],
    });
    expect(talks.participants[0]?.organisation).toMatchObject({ name: { zh: "越南共产党" }, nameZhSuggested: true });
    const period = { from: "2011-01-01", to: "2011-12-31" };
    const report = await buildOverview(admin, period);
    expect(report.topPartners[0]?.organisation).toMatchObject({ id: cpc, nameZhSuggested: true });
    const csv = (await prepareOverviewExport(admin, { ...period, format: "csv" })).body.toString("utf8");
    expect(csv).toContain("越南共产党（暂译）");
  });

  it("puts the partners the office works with first in the review queue", async () => {
    const queue = await listSuggestions(editor, { pageSize: 50 });
    expect(queue.total).toBeGreaterThan(5000);
    const levels = queue.items.map((i) => i.relationshipLevel);
    expect(levels[0]).toBe("strategic");
    // Closest relationships first, then those less close.
    const rank = (l: string | null) => ["strategic", "established", "regular", "contact"].indexOf(l ?? "") + 1 || 5;
    expect(levels.map(rank)).toEqual([...levels.map(rank)].sort((a, b) => a - b));
    const known = await listSuggestions(editor, { method: "known", country: "VNM" });
    expect(known.items.map((i) => i.suggestion.zh)).toContain("越南共产党");
    const low = await listSuggestions(editor, { maxConfidence: 0.3, pageSize: 5 });
    expect(low.items.every((i) => i.suggestion.confidence <= 0.3 && i.suggestion.transliterated)).toBe(true);
  });

  it("accepts, edits and rejects, each audited; an accepted name is an ordinary Chinese name, found at once", async () => {
    const cpv = await partyByPfId(4898);
    const before = (await getOrganisation(editor, cpv)).nameSuggestion;
    expect((await listOrganisations(editor, { q: "越共" })).items.map((i) => i.id)).toContain(cpv);
    await acceptSuggestion(editor, cpv, { basis: before?.basis });
    const after = await getOrganisation(editor, cpv);
    expect(after).toMatchObject({ name: { zh: "越南共产党" }, nameZhSuggested: false, nameSuggestion: null });
    expect(after.names.filter((n) => n.lang === "zh")).toEqual([
      expect.objectContaining({ kind: "official", value: "越南共产党", source: "reviewed" }),
      expect.objectContaining({ kind: "short", value: "越共", source: "reviewed" }),
    ]);
    for (const q of ["越南共产党", "越共", "yuenan gongchandang", "yuenangongchandang", "yngcd"]) {
      expect(
        (await listOrganisations(editor, { q })).items.map((i) => i.id),
        q,
      ).toContain(cpv);
    }
    // Edited: the reviewer's words are what is kept.
    const wpk = await partyByPfId(4712);
    await acceptSuggestion(editor, wpk, { zh: "朝鲜劳动党", short: "朝鲜劳动党" });
    expect((await getOrganisation(editor, wpk)).name.zh).toBe("朝鲜劳动党");
    // Rejected: no longer shown, not suggested again while the names stay the same.
    const likud = await partyByPfId(1036);
    await rejectSuggestion(editor, likud);
    expect((await getOrganisation(editor, likud)).name.zh).toBeNull();
    await suggestNames(admin, { country: "ISR" });
    expect((await getOrganisation(editor, likud)).nameSuggestion).toBeNull();
    const audit = await db()
      .selectFrom("auditLog")
      .select(["action", "entityId"])
      .where("entity", "=", "name_suggestion")
      .where("entityId", "in", [String(cpv), String(wpk), String(likud)])
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["accept", "accept_edited", "reject"]);
    // A viewer may read the queue, not decide.
    const viewer = await actorInFreshUnit("viewer");
    await expect(acceptSuggestion(viewer, await partyByPfId(4892))).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(acceptSuggestion(editor, await partyByPfId(4892), { zh: "Cuba Party" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
  });

  it("refuses a decision on a suggestion whose organisation changed since it was reviewed", async () => {
    const id = await partyByPfId(4892);
    const stale = (await getOrganisation(editor, id)).nameSuggestion?.basis;
    await updateOrganisation(editor, id, { names: [{ kind: "official", lang: "en", value: "Communist Party of Cuba (PCC)" }] });
    await expect(acceptSuggestion(editor, id, { basis: stale })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await getOrganisation(editor, id)).nameSuggestion?.zh).toBe("古巴共产党");
  });

  it("round-trips the queue through a spreadsheet: idempotent, and a changed organisation is refused on its line", async () => {
    const csv = await exportSuggestionsCsv(editor, { country: "ZAF" });
    const lines = csv
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(lines[0]).toContain("reviewed_zh");
    const anc = await partyByPfId(1219);
    const sacp = await partyByPfId(1368);
    const fill = (line: string, decision: string, reviewed = "") => {
      const cells = line.split(",");
      cells[8] = reviewed;
      cells[10] = decision;
      return cells.join(",");
    };
    const reviewed = lines.map((line) => {
      if (line.startsWith(`${anc},`)) return fill(line, "accept");
      if (line.startsWith(`${sacp},`)) return fill(line, "accept", "南非共产党");
      return line;
    });
    // One organisation changes after the export.
    const changed = lines.find((l) => !l.startsWith(`${anc},`) && !l.startsWith(`${sacp},`) && /^\d/.test(l)) as string;
    const changedId = Number(changed.split(",")[0]);
    reviewed[lines.indexOf(changed)] = fill(changed, "accept");
    await updateOrganisation(editor, changedId, { names: [{ kind: "official", lang: "en", value: "A Renamed Party" }] });
    const first = await importReviewedNames(editor, reviewed.join("\r\n"));
    expect(first).toMatchObject({ accepted: 2, rejected: 0 });
    expect(first.problems).toEqual([expect.objectContaining({ message: expect.stringContaining("changed") })]);
    expect((await getOrganisation(editor, anc)).name.zh).toBe("南非非洲人国民大会");
    const again = await importReviewedNames(editor, reviewed.join("\r\n"));
    expect(again).toMatchObject({ accepted: 0, unchanged: 2 });
  });

  it("forgives typos, finds pinyin with and without spaces, and ranks the partner one means first", async () => {
    const first = async (q: string) => (await listOrganisations(editor, { q, pageSize: 5 })).items.map((i) => i.id);
    const spd = await partyByPfId(383);
    const bjp = await partyByPfId(422);
    for (const q of ["Sozialdemokratishe Partei Deutschlands", "Social Democratic Party of Germny"])
      expect(await first(q), q).toContain(spd);
    expect((await first("Bharatiya Janta Party"))[0]).toBe(bjp);
    expect(await first("Chrisitan Democratic Union")).toContain(await partyByPfId(1375));
    // Aliases and common English names are searchable: CPC, CCP, GOP.
    for (const [q, pf] of [
      ["CCP", 5124],
      ["Chinese Communist Party", 5124],
      ["GOP", 809],
      ["CPV", 4898],
    ] as const) {
      expect((await first(q))[0], q).toBe(await partyByPfId(pf));
    }
    // "Labour Party": the UK's party first; "Awami League": Bangladesh's, ahead of the one dissolved in 1971.
    // An office that works closely with the UK's Labour Party finds it first of the many of that name.
    const ukLabour = await partyByPfId(1516);
    expect((await listOrganisations(editor, { q: "Labour Party", pageSize: 10 })).items.map((i) => i.id)).toContain(ukLabour);
    await createEngagement(admin, {
      type: "talks",
      direction: "none",
      titleEn: "Talks with the Labour Party",
      startDate: "2022-03-01",
      leadUnitId: admin.unitId,
      participants: [{ organisationId: ukLabour, role: "participant" }],
    });
    await setRelationship(admin, ukLabour, { level: "strategic" });
    expect((await first("Labour Party"))[0]).toBe(ukLabour);
    const awami = await first("Awami League");
    expect(awami).toContain(await partyByPfId(2299));
    const dissolved = awami.indexOf(await partyByPfId(5551));
    if (dissolved >= 0) expect(awami.indexOf(await partyByPfId(2299))).toBeLessThan(dissolved);
    // Words that stand together in a name rank ahead of the same words scattered through one.
    expect((await first("yuenan gongchandang"))[0]).toBe(await partyByPfId(4898));
    const together = await createOrganisation(editor, {
      kind: "political_party",
      countryCode: "KEN",
      names: [{ kind: "official", lang: "zh", value: "和平发展联盟党" }],
    });
    const scattered = await createOrganisation(editor, {
      kind: "political_party",
      countryCode: "KEN",
      names: [{ kind: "official", lang: "zh", value: "和平团结与发展党" }],
    });
    for (const q of ["heping fazhan", "和平发展"]) {
      const order = await first(q);
      expect(order.indexOf(together.id), q).toBeGreaterThanOrEqual(0);
      if (order.includes(scattered.id)) expect(order.indexOf(together.id), q).toBeLessThan(order.indexOf(scattered.id));
    }
    // Traditional characters find the simplified name.
    expect(await first("越南共產黨")).toContain(await partyByPfId(4898));
  });

  it("shows suggestions only while the administrator's setting says so", async () => {
    const id = await partyByPfId(2256);
    expect((await getOrganisation(editor, id)).name.zh).toBe("统一俄罗斯党");
    await expect(setNameSettings(editor, { showSuggested: false })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await setNameSettings(admin, { showSuggested: false });
    expect((await getOrganisation(editor, id)).name.zh).toBeNull();
    expect((await listOrganisations(editor, { q: "统一俄罗斯党" })).items.map((i) => i.id)).not.toContain(id);
    await setNameSettings(admin, { showSuggested: true });
    expect((await getOrganisation(editor, id)).name.zh).toBe("统一俄罗斯党");
  });
});
