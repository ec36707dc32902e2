import { sql } from "kysely";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectToTestDatabase, openTestDatabase, testEngine } from "../../../test/support/database.ts";
import { actorInFreshUnit, administrator, unique } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { createEngagement, deleteEngagement } from "../engagements/service.ts";
import { importGeography } from "../reference/service.ts";
import { setRelationship } from "../relationships/service.ts";
import type { Actor } from "../shared/actor.ts";
import { organisationListQuery } from "./schema.ts";
import { addOrganisationStatus, createOrganisation, listOrganisations, removeOrganisationStatus } from "./service.ts";
import { compilePrefixedPage, organisationPageQuery, prefixedPageQuery, repairStanding, standingDrift } from "./store.ts";

let database: Database;
let editor: Actor;
let coordinator: Actor;

beforeAll(async () => {
  database = await openTestDatabase();
  await importGeography(await administrator());
  editor = await actorInFreshUnit("editor");
  coordinator = await actorInFreshUnit("coordinator");
});
afterAll(() => database.close());

const today = new Date().toISOString().slice(0, 10);

describe("the standing a name search ranks partners by", () => {
  it("ranks within a tier those the office engages, then the closer relationships, then those governing today, existing, larger, and follows every change", async () => {
    const word = unique("Zq");
    const make = async (letter: string, extra: object = {}) =>
      (
        await createOrganisation(editor, {
          kind: "political_party",
          countryCode: "KEN",
          names: [{ kind: "official", lang: "en", value: `${word} ${letter}` }],
          ...extra,
        })
      ).id;
    // In name order the reverse of the order they rank in, so that only the standing can put them right.
    const dissolved = await make("A", { dissolvedYear: 1990 });
    const plain = await make("B");
    const larger = await make("C");
    const governing = await make("D");
    const regular = await make("E");
    const strategic = await make("F");
    const engaged = await make("G");
    const all = [dissolved, plain, larger, governing, regular, strategic, engaged];
    await db().updateTable("organisations").set({ voteShare: 31.5 }).where("id", "=", larger).execute();
    const governs = await addOrganisationStatus(editor, governing, { status: "in_government", validFrom: "2020-01-01" });
    await addOrganisationStatus(editor, plain, { status: "in_government", validFrom: "2001-01-01", validTo: "2005-12-31" });
    await setRelationship(coordinator, regular, { level: "regular" });
    await setRelationship(coordinator, strategic, { level: "strategic" });
    const visit = await createEngagement(editor, {
      type: "visit",
      direction: "received",
      titleEn: "A visit",
      startDate: "2024-04-02",
      leadUnitId: editor.unitId,
      participants: [
        { organisationId: engaged, role: "delegation_leader" },
        { organisationId: engaged, role: "member" },
      ],
    });

    /** The order of the page through the service, after checking the prefixed page and the full query agree. */
    const ranked = async () => {
      expect(await standingDrift(db(), all)).toEqual([]);
      const query = organisationListQuery.parse({ q: word, pageSize: all.length, withTotal: "false" });
      const full = (await organisationPageQuery(db(), query).execute()).map((r) => r.id);
      expect((await prefixedPageQuery(db(), query).execute()).map((r) => r.id)).toEqual(full);
      expect((await listOrganisations(editor, query)).items.map((i) => i.id)).toEqual(full);
      return full;
    };
    expect(await ranked()).toEqual([engaged, strategic, regular, governing, larger, plain, dissolved]);

    await deleteEngagement(editor, visit.id);
    expect(await ranked()).toEqual([strategic, regular, governing, larger, plain, engaged, dissolved]);
    await setRelationship(coordinator, strategic, { level: "none" });
    expect(await ranked()).toEqual([regular, governing, larger, plain, strategic, engaged, dissolved]);
    const status = governs.statuses.find((s) => s.status === "in_government");
    await removeOrganisationStatus(editor, governing, status?.id ?? 0);
    expect(await ranked()).toEqual([regular, larger, plain, governing, strategic, engaged, dissolved]);
    // A status that ended yesterday no longer counts; one that starts tomorrow not yet.
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await addOrganisationStatus(editor, strategic, { status: "in_government", validFrom: "2019-01-01", validTo: yesterday });
    await addOrganisationStatus(editor, engaged, { status: "in_government", validFrom: tomorrow });
    expect(await ranked()).toEqual([regular, larger, plain, governing, strategic, engaged, dissolved]);
    await addOrganisationStatus(editor, engaged, { status: "in_government", validFrom: "2010-01-01", validTo: today });
    expect(await ranked()).toEqual([regular, engaged, larger, plain, governing, strategic, dissolved]);
  });

  it("keeps the standing through statements that touch many organisations at once, and a participant moved from one to another", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        (
          await createOrganisation(editor, {
            kind: "think_tank",
            countryCode: "BRA",
            names: [{ kind: "official", lang: "en", value: unique("Instituto ") }],
          })
        ).id,
      );
    }
    const [a, b, c, d, e] = ids as [number, number, number, number, number];
    const forum = await createEngagement(editor, {
      type: "event",
      direction: "hosted",
      titleEn: "A forum",
      startDate: "2023-10-10",
      leadUnitId: editor.unitId,
      participants: [a, b, c].map((organisationId) => ({ organisationId, role: "participant" })),
    });
    const engagedOf = async () =>
      (await db().selectFrom("organisations").select(["id", "engaged"]).where("id", "in", ids).orderBy("id").execute()).map(
        (r) => r.engaged,
      );
    expect(await engagedOf()).toEqual([true, true, true, false, false]);
    // One statement moves two participants to other organisations (as a merge does).
    await db()
      .updateTable("engagementParticipants")
      .set({ organisationId: sql<number>`CASE organisation_id WHEN ${a}::int THEN ${d}::int ELSE ${e}::int END` })
      .where("engagementId", "=", forum.id)
      .where("organisationId", "in", [a, b])
      .execute();
    expect(await engagedOf()).toEqual([false, false, true, true, true]);
    await db()
      .insertInto("relationships")
      .values([
        { organisationId: a, level: "contact" },
        { organisationId: b, level: "established" },
      ])
      .execute();
    await db().updateTable("relationships").set({ level: "strategic" }).where("organisationId", "in", [a, b]).execute();
    await db()
      .insertInto("organisationStatuses")
      .values([
        { organisationId: c, status: "in_government", validFrom: "2020-01-01" },
        { organisationId: c, status: "in_government", validFrom: "2010-01-01", validTo: "2012-01-01" },
        { organisationId: d, status: "opposition", validFrom: "2020-01-01" },
      ])
      .execute();
    expect(await standingDrift(db(), ids)).toEqual([]);
    await db().deleteFrom("relationships").where("organisationId", "=", a).execute();
    await db().updateTable("organisationStatuses").set({ status: "opposition" }).where("organisationId", "=", c).execute();
    await deleteEngagement(editor, forum.id);
    expect(await standingDrift(db(), ids)).toEqual([]);
    expect(await engagedOf()).toEqual([false, false, false, false, false]);
    expect(await standingDrift(db())).toEqual([]);
  });

  it.runIf(testEngine === "postgres")(
    "lets two users' saves naming the same partners go on together, and leaves one race to the repair",
    async () => {
      const org = async () =>
        (
          await createOrganisation(editor, {
            kind: "political_party",
            countryCode: "NPL",
            names: [{ kind: "official", lang: "en", value: unique("Party ") }],
          })
        ).id;
      const [five, ten] = [await org(), await org()];
      const engagement = async (suffix: string, partners: number[]) =>
        (
          await createEngagement(editor, {
            type: "talks",
            direction: "received",
            titleEn: `Talks ${suffix}`,
            startDate: "2022-02-02",
            leadUnitId: editor.unitId,
            participants: partners.map((organisationId) => ({ organisationId, role: "guest" })),
          })
        ).id;
      const first = await engagement("1", [ten]);
      const second = await engagement("2", [five]);
      const [a, b] = [await connectToTestDatabase(), await connectToTestDatabase()];
      try {
        // As a save rewrites its participants: the first {10} → {5, 10}, the second {5} → {5, 10}, interleaved.
        await a.query("BEGIN");
        await b.query("BEGIN");
        await a.query("DELETE FROM engagement_participants WHERE engagement_id = $1", [first]);
        await b.query("DELETE FROM engagement_participants WHERE engagement_id = $1", [second]);
        const add = (client: pg.Client, id: number) =>
          client.query(
            `INSERT INTO engagement_participants (engagement_id, organisation_id, role, start_date)
              VALUES ($1, $2, 'guest', '2022-02-02'), ($1, $3, 'guest', '2022-02-02')`,
            [id, five, ten],
          );
        await Promise.all([add(a, first), add(b, second)]);
        await a.query("COMMIT");
        await b.query("COMMIT");
        expect(await standingDrift(db(), [five, ten])).toEqual([]);

        // The race: the first removes ten's last participations and waits, uncommitted, while the
        // second adds one (and does not wait for it). Ten is left unengaged; the repair sets it right.
        await a.query("BEGIN");
        await a.query("DELETE FROM engagement_participants WHERE organisation_id = $1", [ten]);
        await b.query(
          "INSERT INTO engagement_participants (engagement_id, organisation_id, role, start_date) VALUES ($1, $2, 'guest', '2022-02-02')",
          [second, ten],
        );
        await a.query("COMMIT");
        expect(await standingDrift(db(), [five, ten])).toEqual([ten]);
        expect(await repairStanding(db())).toEqual([ten]);
        expect(await standingDrift(db())).toEqual([]);
        const row = await db().selectFrom("organisations").select("engaged").where("id", "=", ten).executeTakeFirstOrThrow();
        expect(row.engaged).toBe(true);
      } finally {
        await a.end();
        await b.end();
      }
    },
  );

  it("ranks the partners the office works with first however many names come before them in the alphabet, in English and in Chinese", async () => {
    // More names start with the word than a broad search ranks in name order (200 and the page):
    // the partners that matter sit past that cut.
    const word = unique("Zr");
    const han = [...unique("")].map((c) => String.fromCodePoint(0x5000 + Number.parseInt(c, 16))).join("");
    const ids: number[] = [];
    for (let n = 1; n <= 260; n++) {
      const number = String(n).padStart(3, "0");
      const created = await createOrganisation(editor, {
        kind: "political_party",
        countryCode: "PER",
        names: [
          { kind: "official", lang: "en", value: `${word} ${number}` },
          { kind: "official", lang: "zh", value: `${han}党${number}` },
        ],
      });
      ids.push(created.id);
    }
    const nth = (n: number) => ids[n - 1] as number;
    const numbers = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const range = (from: number, to: number) => numbers(from, to).map(nth);
    const engage = (numbers: number[]) =>
      createEngagement(editor, {
        type: "talks",
        direction: "received",
        titleEn: "Talks",
        startDate: "2024-05-06",
        leadUnitId: editor.unitId,
        participants: numbers.map((n) => ({ organisationId: nth(n), role: "participant" })),
      });
    await engage([250]);
    await setRelationship(coordinator, nth(255), { level: "strategic" });
    await addOrganisationStatus(editor, nth(258), { status: "in_government", validFrom: "2020-01-01" });
    // No higher than any other name, and more of them by name than the partners that matter take:
    // "No relations", and governed once, long ago.
    for (const n of numbers(1, 40)) await setRelationship(coordinator, nth(n), { level: "none" });
    for (const n of numbers(41, 80)) {
      await addOrganisationStatus(editor, nth(n), { status: "in_government", validFrom: "1990-01-01", validTo: "1995-12-31" });
    }

    /** A page by both queries and the service, for the English word and the Chinese one, which must all agree. */
    const page = async (number: number) => {
      const pages = [];
      for (const q of [word, han]) {
        const query = organisationListQuery.parse({ q, page: number, pageSize: 20, withTotal: "false" });
        const full = (await organisationPageQuery(db(), query).execute()).map((r) => r.id);
        expect((await prefixedPageQuery(db(), query).execute()).map((r) => r.id)).toEqual(full);
        expect((await db().executeQuery(compilePrefixedPage(db(), query))).rows.map((r) => r.id)).toEqual(full);
        expect((await listOrganisations(editor, query)).items.map((i) => i.id)).toEqual(full);
        pages.push(full);
      }
      expect(pages[1]).toEqual(pages[0]);
      return pages[0];
    };
    expect(await page(1)).toEqual([nth(250), nth(255), nth(258), ...range(1, 17)]);

    // Engaged partners that alone fill the page: the names of every class are not needed for it,
    // and the strategic one of them comes first.
    await engage(numbers(226, 249));
    await setRelationship(coordinator, nth(249), { level: "strategic" });
    expect(await page(1)).toEqual([nth(249), ...range(226, 244)]);
    // Past them, the others in their order again.
    expect(await page(2)).toEqual([...range(245, 248), nth(250), nth(255), nth(258), ...range(1, 13)]);
  });

  it("ranks every engaged partner that the first names would have, when engaged partners alone fill the page", async () => {
    // 80 engaged partners: where they fill the page, their own first names stand for the first names
    // of all, and must hold as many. The 75th, the largest party, comes first.
    const word = unique("Zg");
    const ids: number[] = [];
    for (let n = 1; n <= 80; n++) {
      const created = await createOrganisation(editor, {
        kind: "political_party",
        countryCode: "PER",
        // Upper and lower case alike: the page's last order is the name as the candidates are cut.
        names: [{ kind: "official", lang: "en", value: `${n % 2 ? word.toUpperCase() : word} ${String(n).padStart(3, "0")}` }],
      });
      ids.push(created.id);
    }
    for (let from = 0; from < 80; from += 20) {
      await createEngagement(editor, {
        type: "talks",
        direction: "received",
        titleEn: "Talks",
        startDate: "2024-05-06",
        leadUnitId: editor.unitId,
        participants: ids.slice(from, from + 20).map((organisationId) => ({ organisationId, role: "participant" })),
      });
    }
    const largest = ids[74] as number;
    await db().updateTable("organisations").set({ voteShare: 40 }).where("id", "=", largest).execute();
    for (const [page, expected] of [
      [1, [largest, ...ids.slice(0, 19)]],
      [4, [...ids.slice(59, 74), ...ids.slice(75, 80)]],
    ] as const) {
      const query = organisationListQuery.parse({ q: word.toLowerCase(), page, pageSize: 20, withTotal: "false" });
      expect((await organisationPageQuery(db(), query).execute()).map((r) => r.id)).toEqual(expected);
      expect((await prefixedPageQuery(db(), query).execute()).map((r) => r.id)).toEqual(expected);
      expect((await listOrganisations(editor, query)).items.map((i) => i.id)).toEqual(expected);
    }
  });
});

describe("the prefixed page compiled once", () => {
  it("is the query built for what was typed, whatever was typed, for every page and filter", () => {
    const typed = [
      "social",
      "  Social Democratic ",
      "SOCIALIST",
      "Ōsaka",
      "people's",
      "50%_\\x",
      "社会",
      "中国共产党",
      "中國共產黨",
      "Партия",
      "ǅemal",
      "Qé",
      "Q中é",
      "é",
      "a\u{10FFFF}",
      "\u{10FFFF}",
    ];
    for (const q of typed) {
      for (const shape of [{}, { page: 3, pageSize: 50 }, { active: "false" }]) {
        const query = organisationListQuery.parse({ q, withTotal: "false", ...shape });
        const built = prefixedPageQuery(db(), query).compile();
        // Twice: compiled the first time a shape is asked for, put together from the cache after.
        for (let i = 0; i < 2; i++) {
          const compiled = compilePrefixedPage(db(), query);
          expect(compiled.sql).toBe(built.sql);
          expect(compiled.parameters).toEqual(built.parameters);
        }
      }
    }
  });
});

// Last in the file: it empties the three tables, for the tests above too.
describe("the standing when its tables are emptied at once", () => {
  it("forgets every partner's engagements, relationship and days in government when their tables are truncated", async () => {
    const counts = async () =>
      (
        await sql<{ engaged: number; related: number; governing: number }>`SELECT count(*) FILTER (WHERE engaged)::int AS engaged,
          count(*) FILTER (WHERE relationship_level IS NOT NULL)::int AS related,
          count(*) FILTER (WHERE NOT isempty(governing))::int AS governing FROM organisations`.execute(db())
      ).rows[0];
    // A partner of each kind, so that this proves something when it runs alone.
    const partner = (
      await createOrganisation(editor, {
        kind: "political_party",
        countryCode: "NPL",
        names: [{ kind: "official", lang: "en", value: unique("Truncated ") }],
      })
    ).id;
    await setRelationship(coordinator, partner, { level: "regular" });
    await addOrganisationStatus(editor, partner, { status: "in_government", validFrom: "2021-01-01" });
    await createEngagement(editor, {
      type: "visit",
      direction: "received",
      titleEn: "A visit",
      startDate: "2024-04-02",
      leadUnitId: editor.unitId,
      participants: [{ organisationId: partner, role: "delegation_leader" }],
    });
    const before = await counts();
    expect(before?.engaged).toBeGreaterThan(0);
    expect(before?.related).toBeGreaterThan(0);
    expect(before?.governing).toBeGreaterThan(0);
    for (const [table, column] of [
      ["engagement_participants", "engaged"],
      ["relationships", "related"],
      ["organisation_statuses", "governing"],
    ] as const) {
      await sql`TRUNCATE ${sql.table(table)} CASCADE`.execute(db());
      expect((await counts())?.[column]).toBe(0);
      expect(await standingDrift(db())).toEqual([]);
    }
  });
});
