import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorInFreshUnit, administrator } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { importReference } from "../reference/service.ts";
import type { Actor } from "../shared/actor.ts";
import { listOrganisations, resolveOrganisationNames } from "./service.ts";

let database: Database;
let viewer: Actor;
const partyByPfId = async (partyfactsId: number) =>
  (await db().selectFrom("organisations").select("id").where("partyfactsId", "=", partyfactsId).executeTakeFirstOrThrow()).id;

beforeAll(async () => {
  database = await openTestDatabase();
  await importReference(await administrator());
  viewer = await actorInFreshUnit("viewer");
}, 240_000);
afterAll(() => database.close());

describe("pasting a list of names", () => {
  it("takes a line only when one organisation of that very name existed on the date, and offers every candidate otherwise", async () => {
    const bangladesh = await partyByPfId(2299);
    const pakistan = await partyByPfId(5551);
    const sed = await partyByPfId(4658);
    const lines = ["Awami League", "Labour Party", "Socialist Unity Party of Germany", "No such party anywhere qqq"];
    const today = await resolveOrganisationNames(viewer, { lines });
    const [awami, labour, gdr, nothing] = today.items;
    // Today only Bangladesh's Awami League exists: it is taken, the one dissolved in 1971 is not.
    expect(awami).toMatchObject({ match: "found", organisationId: bangladesh, warning: null });
    expect(awami?.candidates.map((c) => c.id)).toEqual(expect.arrayContaining([bangladesh, pakistan]));
    // Many parties are called the Labour Party: every one is offered, each with country, years and status.
    expect(labour?.match).toBe("ambiguous");
    expect(labour?.candidates.length).toBeGreaterThanOrEqual(5);
    expect(new Set(labour?.candidates.map((c) => c.country?.code)).size).toBe(labour?.candidates.length);
    const argentina = await partyByPfId(5193);
    expect(labour?.candidates.find((c) => c.id === argentina)).toMatchObject({ dissolvedYear: 1947, existsToday: false });
    // A dissolved party is never taken silently, even when it is the only one of the name.
    expect(gdr).toMatchObject({ match: "ambiguous", organisationId: null, warning: "dissolved" });
    expect(gdr?.candidates[0]?.id).toBe(sed);
    expect(nothing).toMatchObject({ match: "none", candidates: [] });
    // On a date when it existed, it is taken; in 1965 both Awami Leagues existed, so the line asks.
    const then = await resolveOrganisationNames(viewer, { lines, on: "1965-05-01" });
    expect(then.items[0]).toMatchObject({ match: "ambiguous", warning: null });
    expect(then.items[2]).toMatchObject({ match: "found", organisationId: sed });
  });

  it("reports lines that name the same organisation twice: by its name, its abbreviation or an alias", async () => {
    const cpv = await partyByPfId(4898);
    const result = await resolveOrganisationNames(viewer, {
      lines: ["Communist Party of Vietnam", "CPV", "越南共产党", "communist party of vietnam"],
    });
    expect(result.items.map((i) => [i.match, i.organisationId, i.repeatOf])).toEqual([
      ["found", cpv, null],
      ["repeat", cpv, 0],
      ["repeat", cpv, 0],
      ["repeat", cpv, 0],
    ]);
  });

  it("hides dissolved and historical organisations when asked for those active only", async () => {
    const all = await listOrganisations(viewer, { q: "Socialist Unity Party of Germany" });
    const active = await listOrganisations(viewer, { q: "Socialist Unity Party of Germany", active: "true" });
    expect(all.items.map((i) => i.id)).toContain(await partyByPfId(4658));
    expect(active.items.map((i) => i.id)).not.toContain(await partyByPfId(4658));
    expect(active.items.every((i) => i.existsToday)).toBe(true);
    const country = await listOrganisations(viewer, { country: "DDR", active: "true" });
    expect(country.total).toBe(0);
  });
});
