import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorInFreshUnit, unique } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { createEngagement, listEngagements } from "../engagements/service.ts";
import { createOrganisation, listOrganisations } from "../organisations/service.ts";
import { createPerson, listPeople } from "../people/service.ts";
import type { Actor } from "./actor.ts";

let database: Database;
let editor: Actor;
const word = unique("Tallyless").replace(/[^A-Za-z]/g, "");
/** 25 matches in each list: pages of 11 are two full ones and a third of 3. */
const made = 25;

beforeAll(async () => {
  database = await openTestDatabase();
  editor = await actorInFreshUnit("editor");
  for (let i = 1; i <= made; i++) {
    await createOrganisation(editor, { kind: "other", names: [{ kind: "official", lang: "en", value: `${word} Union ${i}` }] });
    await createPerson(editor, { nameEn: `${word} Person ${i}` });
    await createEngagement(editor, {
      type: "talks",
      direction: "none",
      titleEn: `${word} talks ${i}`,
      startDate: `2021-03-${String(i).padStart(2, "0")}`,
      leadUnitId: editor.unitId,
      status: "done",
    });
  }
});
afterAll(() => database.close());

const lists: Array<[string, (input: Record<string, unknown>) => Promise<{ total: number; totalExact: boolean; items: unknown[] }>]> = [
  ["organisations, by name", (input) => listOrganisations(editor, { q: word, ...input })],
  ["people, by name", (input) => listPeople(editor, { q: word, ...input })],
  ["engagements, by unit", (input) => listEngagements(editor, { unitId: editor.unitId, ...input })],
];

describe("a list asked for no total (withTotal=false)", () => {
  for (const [name, list] of lists) {
    it(`${name}: a full page says "at least", a short one the exact total, an empty one is counted; by default every page is counted`, async () => {
      const pages = [];
      for (let page = 1; page <= 4; page++) {
        const result = await list({ pageSize: 11, page, withTotal: "false" });
        pages.push([result.items.length, result.total, result.totalExact]);
      }
      expect(pages).toEqual([
        [11, 11, false],
        [11, 22, false],
        [3, made, true],
        // Past the end the page says nothing of the total: it is counted.
        [0, made, true],
      ]);
      for (let page = 1; page <= 3; page++) {
        const counted = await list({ pageSize: 11, page });
        expect([counted.total, counted.totalExact]).toEqual([made, true]);
      }
      // The items are the same either way.
      expect((await list({ pageSize: 11, page: 2, withTotal: "false" })).items).toEqual((await list({ pageSize: 11, page: 2 })).items);
    });
  }
});
