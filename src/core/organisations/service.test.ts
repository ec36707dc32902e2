import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorInFreshUnit, administrator, unique } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { createCountryGroup } from "../country-groups/service.ts";
import { createLabel } from "../labels/service.ts";
import { importGeography } from "../reference/service.ts";
import { addPartnerRelation, setRelationship } from "../relationships/service.ts";
import { forgetWordShares, keepWordShares } from "../search/word-shares.ts";
import type { Actor } from "../shared/actor.ts";
import { organisationListQuery } from "./schema.ts";
import {
  addOrganisationStatus,
  countOrganisations,
  createOrganisation,
  deleteOrganisation,
  getOrganisation,
  listOrganisations,
  removeOrganisationStatus,
  updateOrganisation,
} from "./service.ts";
import { organisationPageQuery, prefixedPageQuery, triesPrefixesFirst } from "./store.ts";

let database: Database;
let editor: Actor;

beforeAll(async () => {
  database = await openTestDatabase();
  await importGeography(await administrator());
});
afterAll(() => database.close());

async function auditRows(entityId: number) {
  return db()
    .selectFrom("auditLog")
    .selectAll()
    .where("entity", "=", "organisation")
    .where("entityId", "=", String(entityId))
    .orderBy("id")
    .execute();
}

describe("organisations", () => {
  beforeAll(async () => {
    editor = await actorInFreshUnit("editor");
  });

  it("creates an organisation with structured bilingual names and audits it", async () => {
    const org = await createOrganisation(editor, {
      kind: "political_party",
      countryCode: "vnm",
      names: [
        { kind: "official", lang: "vi", value: "Đảng Cộng sản Việt Nam" },
        { kind: "official", lang: "zh", value: "越南共產黨" },
        { kind: "official", lang: "en", value: "Communist Party of Vietnam" },
        { kind: "abbreviation", lang: "en", value: "CPV" },
        { kind: "former", lang: "en", value: "Workers' Party of Vietnam", validTo: 1976 },
        { kind: "alias", lang: "en", value: "  Communist\u200B Party of Vietnam " },
      ],
      foundedYear: 1930,
      family: "com",
      wikidataId: "Q621013",
    });
    expect(org).toMatchObject({
      kind: "political_party",
      name: { en: "Communist Party of Vietnam", zh: "越南共產黨" },
      abbreviation: "CPV",
      country: { code: "VNM", name: { en: "Vietnam", zh: "越南" } },
      externalIds: { wikidata: "Q621013", partyfacts: null, parlgov: null },
    });
    expect(org.names.map((n) => [n.kind, n.lang, n.script, n.value])).toEqual([
      ["official", "vi", "Latn", "Đảng Cộng sản Việt Nam"],
      ["official", "zh", "Hant", "越南共產黨"],
      ["official", "en", "Latn", "Communist Party of Vietnam"],
      ["abbreviation", "en", "Latn", "CPV"],
      ["former", "en", "Latn", "Workers' Party of Vietnam"],
      ["alias", "en", "Latn", "Communist Party of Vietnam"],
    ]);
    const audit = await auditRows(org.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "create", actorId: editor.userId, unitId: editor.unitId, before: null });
    const created = audit[0]?.after as { name: { en: string } } | undefined;
    expect(created?.name.en).toBe("Communist Party of Vietnam");
  });

  it("finds an organisation by any of its names: Chinese in either script, English, native, abbreviation, pinyin", async () => {
    const token = unique("zz");
    const org = await createOrganisation(editor, {
      kind: "think_tank",
      countryCode: "DEU",
      names: [
        { kind: "official", lang: "de", value: `Stiftung Wissenschaft und Politik ${token}` },
        { kind: "official", lang: "en", value: "German Institute for International and Security Affairs" },
        { kind: "official", lang: "zh", value: "德国国际政治与安全事务研究所" },
        { kind: "abbreviation", lang: "de", value: "SWP" },
      ],
    });
    for (const q of [token, "德國國際政治", "安全事务", "Wissenschaft Politik", "wissensch", "security affairs", "swp", "deguoguoji"]) {
      const found = await listOrganisations(editor, { q });
      expect(
        found.items.map((i) => i.id),
        `query ${q}`,
      ).toContain(org.id);
    }
    expect((await listOrganisations(editor, { q: `${token} nonexistentword` })).total).toBe(0);
    expect((await listOrganisations(editor, { q: "'&|!" })).total).toBe(0);
  });

  it("puts exact name and abbreviation matches first, and pages through the rest in name order", async () => {
    const word = unique("qq");
    const names = ["Delta", "Alpha", "Charlie", "Bravo", "Echo"];
    const made = [];
    for (const name of names) {
      made.push(
        await createOrganisation(editor, { kind: "other", names: [{ kind: "official", lang: "en", value: `${name} ${word} Union` }] }),
      );
    }
    const exact = await createOrganisation(editor, {
      kind: "other",
      names: [
        { kind: "official", lang: "en", value: `Zulu ${word} League` },
        { kind: "abbreviation", lang: "en", value: word.toUpperCase() },
      ],
    });
    const seen: string[] = [];
    for (let page = 1; page <= 4; page++) {
      const result = await listOrganisations(editor, { q: word, pageSize: 2, page });
      // A page of ten or fewer is a typeahead's: "at least" this many, not counted further.
      expect([result.total, result.totalExact]).toEqual(page < 4 ? [page * 2, false] : [6, true]);
      seen.push(...result.items.map((i) => i.name.en.split(" ")[0] as string));
    }
    expect((await listOrganisations(editor, { q: word, pageSize: 20 })).total).toBe(6);
    expect(seen).toEqual(["Zulu", "Alpha", "Bravo", "Charlie", "Delta", "Echo"]);
    const byName = await listOrganisations(editor, { q: word, sort: "name", pageSize: 10 });
    expect(byName.items.map((i) => i.id).at(-1)).toBe(exact.id);
  });

  it("ranks names that start with the word first, and reads the other matches whenever those cannot fill the page", async () => {
    const word = unique("ww");
    const make = (value: string, countryCode: string) =>
      createOrganisation(editor, { kind: "other", countryCode, names: [{ kind: "official", lang: "en", value }] });
    // Twenty-five names in Vietnam start with the word; in Laos two do, and four more contain it.
    for (let i = 0; i < 25; i++) await make(`${word} Front ${String(i).padStart(2, "0")}`, "vnm");
    const laoPrefixed = [await make(`${word} Alliance`, "lao"), await make(`${word} Bloc`, "lao")];
    const laoInside = [];
    for (const name of ["Anh", "Binh", "Chau", "Dung"]) laoInside.push(await make(`${name} ${word} Council`, "lao"));

    // Every page of the whole search is of names that start with the word: they fill it.
    const all = await listOrganisations(editor, { q: word, pageSize: 20 });
    expect(all.items.every((i) => i.name.en.startsWith(word))).toBe(true);
    expect([all.total, all.totalExact]).toEqual([31, true]);
    const second = await listOrganisations(editor, { q: word, pageSize: 20, page: 2 });
    expect(second.items.map((i) => i.name.en.replace(/ \d+$/, "").split(" ").at(-1))).toEqual([
      ...Array(7).fill("Front"),
      ...Array(4).fill("Council"),
    ]);

    // In Laos the prefixed names are too few for a page: the names that contain the word follow.
    const lao = await listOrganisations(editor, { q: word, country: "lao", pageSize: 20 });
    expect(lao.items.map((i) => i.id)).toEqual([...laoPrefixed, ...laoInside].map((o) => o.id));
    expect([lao.total, lao.totalExact]).toEqual([6, true]);
    // The same at the edge of a typeahead's page, and on a later page.
    const typeahead = await listOrganisations(editor, { q: word, country: "lao", pageSize: 3 });
    expect(typeahead.items.map((i) => i.id)).toEqual([laoPrefixed[0]?.id, laoPrefixed[1]?.id, laoInside[0]?.id]);
    const later = await listOrganisations(editor, { q: word, country: "lao", pageSize: 3, page: 2 });
    expect(later.items.map((i) => i.id)).toEqual(laoInside.slice(1).map((o) => o.id));
  });

  it("answers a broad search from the names that start with it alone exactly when those fill the page, in one text for every word", async () => {
    const word = unique("pp");
    const make = (value: string, countryCode: string, zh?: string) =>
      createOrganisation(editor, {
        kind: "other",
        countryCode,
        names: [{ kind: "official", lang: "en", value }, ...(zh ? [{ kind: "official" as const, lang: "zh" as const, value: zh }] : [])],
      });
    // 23 names in Cuba start with the word (one is the word itself), 3 in Chile; 5 more contain it, and one
    // bears it only as its abbreviation.
    const zh = `${word}社会`;
    for (let i = 0; i < 22; i++) await make(`${word} Movement ${String(i).padStart(2, "0")}`, "cub", i < 12 ? `${zh}党${i}` : undefined);
    await make(word, "cub");
    await createOrganisation(editor, {
      kind: "other",
      countryCode: "cub",
      names: [
        { kind: "official", lang: "en", value: "Zeta Union" },
        { kind: "abbreviation", lang: "en", value: word.toUpperCase() },
      ],
    });
    for (const name of ["Alpha", "Beta", "Gamma"]) await make(`${word} ${name} League`, "chl");
    for (const name of ["Anh", "Binh", "Chau", "Dung", "Em"]) await make(`${name} ${word} Council`, "chl");

    const cases = [
      { q: word, pageSize: 20 },
      { q: word, pageSize: 10, page: 2 },
      { q: word, pageSize: 5, page: 6 },
      { q: word, pageSize: 20, page: 2 },
      { q: word, pageSize: 26 },
      { q: word, pageSize: 27 },
      { q: word, pageSize: 3, country: "chl" },
      { q: word, pageSize: 20, country: "chl" },
      { q: word, pageSize: 2, country: "chl" },
      { q: word, pageSize: 10, kind: "other", region: "419" },
      { q: `${word} movement`, pageSize: 10 },
      { q: zh, pageSize: 10 },
      { q: zh, pageSize: 20 },
      { q: `${word}%`, pageSize: 3 },
    ];
    const texts = new Set<string>();
    for (const input of cases) {
      const query = organisationListQuery.parse({ ...input, withTotal: "false" });
      const window = query.page * query.pageSize;
      const full = await organisationPageQuery(db(), query).execute();
      const prefixesOnly = prefixedPageQuery(db(), query);
      const fromPrefixes = await prefixesOnly.execute();
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM organisations o
        WHERE (starts_with(lower(o.name_en), ${query.q?.toLowerCase()}) OR (${/\p{Script=Han}/u.test(query.q ?? "")} AND starts_with(o.name_zh, ${query.q})))
          AND (${query.country ?? null}::text IS NULL OR o.country_code = ${query.country ?? null})`.execute(db());
      const prefixed = rows[0]?.n ?? 0;
      expect(
        fromPrefixes.map((r) => r.id),
        JSON.stringify(input),
      ).toEqual(prefixed >= window ? full.map((r) => r.id) : []);
      expect(full.length, JSON.stringify(input)).toBeGreaterThan(0);
      if (!query.country && !query.kind && !/\p{Script=Han}/u.test(query.q ?? "")) texts.add(prefixesOnly.compile().sql);
    }
    // The words typed and the page are parameters: one prepared statement serves every broad search of the same filters.
    expect(texts.size).toBe(1);
    // Through the service, the pages are the full query's whichever answered: the word itself, the
    // abbreviation, the names that start with it, then those that contain it.
    await sql`ANALYZE organisations`.execute(db());
    forgetWordShares();
    await keepWordShares(db());
    const broad = organisationListQuery.parse({ q: word, pageSize: 20, active: "true" });
    expect(triesPrefixesFirst(broad, 20)).toBe(true);
    expect(triesPrefixesFirst({ ...broad, country: "cub" }, 20)).toBe(false);
    expect(triesPrefixesFirst({ ...broad, sort: "name" }, 20)).toBe(false);
    expect(triesPrefixesFirst({ ...broad, q: unique("rare") }, 20)).toBe(false);
    for (const pageSize of [20, 30]) {
      const page = await listOrganisations(editor, { q: word, pageSize, active: "true", withTotal: "false" });
      expect(page.items.slice(0, 2).map((i) => i.name.en)).toEqual([word, "Zeta Union"]);
      expect(page.items.slice(2, 27).every((i) => i.name.en.toLowerCase().startsWith(word))).toBe(true);
      expect(page.items.slice(27).map((i) => i.name.en.split(" ")[0])).toEqual(
        ["Anh", "Binh", "Chau"].slice(0, Math.max(0, pageSize - 27)),
      );
    }
  });

  it("filters by country, region, group, kind, family, level, tag and government on a date", async () => {
    const tag = unique("tag-");
    await createLabel(editor, "tags", { key: tag, nameEn: "Test tag", nameZh: "测试标签" });
    const group = unique("grp-");
    await createCountryGroup(editor, { key: group, nameEn: "Test group", nameZh: "测试组", countryCodes: ["LAO", "CUB"] });
    const make = (countryCode: string, en: string, extra: object = {}) =>
      createOrganisation(editor, {
        kind: "political_party",
        countryCode,
        names: [{ kind: "official", lang: "en", value: en }],
        tags: [tag],
        ...extra,
      });
    const lao = await make("LAO", "Lao People's Revolutionary Party", { family: "com" });
    const cuba = await make("CUB", "Communist Party of Cuba", { family: "com" });
    const chile = await make("CHL", "Socialist Party of Chile", { family: "soc" });
    await addOrganisationStatus(editor, lao.id, { status: "in_government", validFrom: "1975-12-02" });
    await addOrganisationStatus(editor, chile.id, { status: "in_government", validFrom: "2022-03-11", validTo: "2026-03-11" });
    await addOrganisationStatus(editor, chile.id, { status: "opposition", validFrom: "2018-03-11", validTo: "2022-03-10" });
    await setRelationship(editor, cuba.id, { level: "strategic", since: "1960-09-28", leadUnitId: editor.unitId });

    const ids = async (filter: object) =>
      (await listOrganisations(editor, { tag, ...filter, pageSize: 200 })).items.map((i) => i.id).sort();
    expect(await ids({})).toEqual([lao.id, cuba.id, chile.id].sort());
    expect(await ids({ country: "CUB" })).toEqual([cuba.id]);
    expect(await ids({ region: "419" })).toEqual([cuba.id, chile.id].sort());
    expect(await ids({ region: "035" })).toEqual([lao.id]);
    expect(await ids({ group })).toEqual([lao.id, cuba.id].sort());
    expect(await ids({ family: "soc" })).toEqual([chile.id]);
    expect(await ids({ level: "strategic" })).toEqual([cuba.id]);
    expect(await ids({ level: "none" })).toEqual([lao.id, chile.id].sort());
    expect(await ids({ inGovernmentOn: "2023-01-01" })).toEqual([lao.id, chile.id].sort());
    expect(await ids({ inGovernmentOn: "2019-01-01" })).toEqual([lao.id]);
    expect(await ids({ inGovernmentOn: "2026-03-11" })).toEqual([lao.id, chile.id].sort());
    expect(await ids({ inGovernmentOn: "2026-03-12" })).toEqual([lao.id]);
    expect(await ids({ kind: "think_tank" })).toEqual([]);

    const page = await listOrganisations(editor, { tag, sort: "name", pageSize: 2, page: 2 });
    expect(page).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(page.items.map((i) => i.name.en)).toEqual(["Socialist Party of Chile"]);
    const beyond = await listOrganisations(editor, { tag, pageSize: 2, page: 5 });
    expect(beyond).toMatchObject({ total: 3, items: [] });
    const desc = await listOrganisations(editor, { tag, sort: "-name" });
    expect(desc.items[0]?.name.en).toBe("Socialist Party of Chile");
    const cubaPage = await getOrganisation(editor, cuba.id);
    expect(cubaPage.relationship).toMatchObject({ level: "strategic", since: "1960-09-28", leadUnit: { id: editor.unitId } });
  });

  it("refuses overlapping contradictory statuses and removes a status", async () => {
    const org = await createOrganisation(editor, {
      kind: "political_party",
      countryCode: "NPL",
      names: [{ kind: "official", lang: "en", value: unique("Party ") }],
    });
    const withStatus = await addOrganisationStatus(editor, org.id, {
      status: "in_government",
      validFrom: "2020-01-01",
      validTo: "2020-12-31",
    });
    await expect(addOrganisationStatus(editor, org.id, { status: "opposition", validFrom: "2020-06-01" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(addOrganisationStatus(editor, org.id, { status: "in_government", validFrom: "2020-12-31" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await addOrganisationStatus(editor, org.id, { status: "opposition", validFrom: "2021-01-01" });
    await expect(
      addOrganisationStatus(editor, org.id, { status: "opposition", validFrom: "2021-01-01", validTo: "2020-01-01" }),
    ).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: { fields: [{ path: "validTo" }] },
    });
    const statusId = withStatus.statuses[0]?.id as number;
    const after = await removeOrganisationStatus(editor, org.id, statusId);
    expect(after.statuses.map((s) => s.status)).toEqual(["opposition"]);
    await expect(removeOrganisationStatus(editor, org.id, statusId)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("replaces names on update, records before and after, and rolls back a failed update", async () => {
    const org = await createOrganisation(editor, {
      kind: "media",
      countryCode: "FRA",
      names: [{ kind: "official", lang: "fr", value: "Le Monde" }],
    });
    expect(org.name.en).toBe("Le Monde");
    const updated = await updateOrganisation(editor, org.id, {
      names: [
        { kind: "official", lang: "fr", value: "Le Monde" },
        { kind: "official", lang: "zh", value: "世界报" },
      ],
      website: "https://www.lemonde.fr/",
    });
    expect(updated).toMatchObject({ name: { en: "Le Monde", zh: "世界报" }, website: "https://www.lemonde.fr/" });
    expect((await listOrganisations(editor, { q: "世界报" })).items.map((i) => i.id)).toContain(org.id);
    const audit = await auditRows(org.id);
    expect(audit.map((a) => a.action)).toEqual(["create", "update"]);
    const change = audit[1] as { before: { name: { zh: string | null } }; after: { name: { zh: string | null } } } | undefined;
    // Before it had a Chinese name, a suggestion stood in for one, marked as such.
    expect(change?.before).toMatchObject({ nameZhSuggested: true });
    expect(change?.after).toMatchObject({ nameZhSuggested: false });
    expect(change?.after.name.zh).toBe("世界报");

    await expect(updateOrganisation(editor, org.id, { countryCode: "QQQ" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(updateOrganisation(editor, org.id, { dissolvedYear: 1900, foundedYear: 1944 })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    await expect(updateOrganisation(editor, org.id, { tags: ["no-such-tag"] })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect(await auditRows(org.id)).toHaveLength(2);
    expect((await getOrganisation(editor, org.id)).country?.code).toBe("FRA");
  });

  it("refuses a Wikidata id that another organisation has", async () => {
    const a = await createOrganisation(editor, {
      kind: "other",
      names: [{ kind: "official", lang: "en", value: unique("A ") }],
      wikidataId: "Q99999001",
    });
    await expect(
      createOrganisation(editor, {
        kind: "other",
        names: [{ kind: "official", lang: "en", value: unique("B ") }],
        wikidataId: "Q99999001",
      }),
    ).rejects.toMatchObject({ code: "CONFLICT", details: { fields: [{ path: "wikidataId" }] } });
    expect((await getOrganisation(editor, a.id)).country).toBeNull();
  });

  it("links partners and deletes with an audit trail; only coordinators and administrators delete", async () => {
    const international = await createOrganisation(editor, {
      kind: "international_organisation",
      names: [{ kind: "official", lang: "en", value: unique("Socialist International ") }],
    });
    const member = await createOrganisation(editor, {
      kind: "political_party",
      countryCode: "PRT",
      names: [{ kind: "official", lang: "en", value: unique("Partido ") }],
    });
    const linked = await addPartnerRelation(editor, member.id, {
      kind: "member_of",
      toOrganisationId: international.id,
      startDate: "1976-01-01",
    });
    expect(linked.relations).toMatchObject([{ kind: "member_of", direction: "outgoing", organisation: { id: international.id } }]);
    expect((await getOrganisation(editor, international.id)).relations).toMatchObject([
      { direction: "incoming", organisation: { id: member.id } },
    ]);
    await expect(
      addPartnerRelation(editor, member.id, { kind: "member_of", toOrganisationId: international.id, startDate: "1976-01-01" }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(addPartnerRelation(editor, member.id, { kind: "member_of", toOrganisationId: member.id })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });

    await expect(deleteOrganisation(editor, member.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const coordinator = await actorInFreshUnit("coordinator");
    await deleteOrganisation(coordinator, member.id);
    await expect(getOrganisation(editor, member.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await getOrganisation(editor, international.id)).relations).toEqual([]);
    expect((await auditRows(member.id)).map((a) => a.action)).toEqual(["create", "delete"]);
  });

  it("keeps the pre-aggregated counts equal to the organisations, through every kind of write", async () => {
    const exact = async () =>
      (
        await db()
          .selectFrom("organisations")
          .select(["countryCode", "kind", db().fn.countAll<number>().as("n")])
          .groupBy(["countryCode", "kind"])
          .execute()
      )
        .map((r) => `${r.countryCode ?? ""}|${r.kind}|${r.n}`)
        .sort();
    const summary = async () =>
      (await db().selectFrom("organisationCounts").selectAll().where("n", "<>", 0).execute())
        .map((r) => `${r.countryKey}|${r.kind}|${r.n}`)
        .sort();
    const a = await createOrganisation(editor, {
      kind: "media",
      countryCode: "BRA",
      names: [{ kind: "official", lang: "en", value: unique("Folha ") }],
    });
    const b = await createOrganisation(editor, { kind: "media", names: [{ kind: "official", lang: "en", value: unique("Stateless ") }] });
    await updateOrganisation(editor, a.id, { countryCode: "ARG" });
    await updateOrganisation(editor, b.id, { kind: "movement", countryCode: "ARG" });
    await updateOrganisation(editor, a.id, { website: "https://example.org/" });
    await expect(updateOrganisation(editor, a.id, { countryCode: "QQQ" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await deleteOrganisation(await administrator(), b.id);
    expect(await summary()).toEqual(await exact());
    const counted = await countOrganisations(editor, { by: "country", kind: "media" });
    expect(counted.items.find((i) => i.key === "ARG")).toMatchObject({ count: 1, label: { en: "Argentina", zh: "阿根廷" } });
    const viaScan = await countOrganisations(editor, { by: "country", kind: "media", family: "com" });
    expect(viaScan.items.find((i) => i.key === "ARG")).toBeUndefined();
    const list = await listOrganisations(editor, { kind: "media", pageSize: 1 });
    expect(list.total).toBe((await countOrganisations(editor, { by: "kind", kind: "media" })).total);
  });

  it("lets a viewer read but not write", async () => {
    const viewer = await actorInFreshUnit("viewer");
    expect((await listOrganisations(viewer, { pageSize: 1 })).total).toBeGreaterThan(0);
    await expect(
      createOrganisation(viewer, { kind: "other", names: [{ kind: "official", lang: "en", value: "X" }] }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});
