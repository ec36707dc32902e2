import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { administrator } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { createEngagement } from "../engagements/service.ts";
import { importGeography } from "../reference/service.ts";
import type { Actor } from "../shared/actor.ts";
import { createProgramme, deleteProgramme, getProgramme, listProgrammes, updateProgramme } from "./service.ts";

let database: Database;
let admin: Actor;

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
  await importGeography(admin);
});
afterAll(() => database.close());

describe("programmes", () => {
  it("keeps running totals of the engagements it groups", async () => {
    const p = await createProgramme(admin, {
      nameEn: "Outreach on the 19th Congress",
      nameZh: "十九大精神宣介",
      leadUnitId: admin.unitId,
      startDate: "2017-11-01",
      endDate: "2018-06-30",
      targets: { delegations: 30, countries: 100, events: 500 },
    });
    const orgs: number[] = [];
    for (const country of ["DEU", "FRA", "KEN"]) {
      orgs.push(
        (
          await db()
            .insertInto("organisations")
            .values({ kind: "political_party", countryCode: country, nameEn: `Party ${country}` })
            .returning("id")
            .executeTakeFirstOrThrow()
        ).id,
      );
    }
    const delegation = (startDate: string, participants: number[]) =>
      createEngagement(admin, {
        type: "visit",
        direction: "sent",
        titleEn: "Briefing delegation",
        startDate,
        leadUnitId: admin.unitId,
        programmeId: p.id,
        participants: participants.map((organisationId) => ({ organisationId, role: "host" })),
      });
    await delegation("2017-12-01", [orgs[0] as number, orgs[1] as number]);
    await delegation("2018-01-15", [orgs[2] as number]);
    await createEngagement(admin, {
      type: "event",
      direction: "attended",
      subtype: "briefing",
      titleEn: "Briefing in Nairobi",
      startDate: "2018-01-16",
      leadUnitId: admin.unitId,
      programmeId: p.id,
      participants: [{ organisationId: orgs[2], role: "host" }],
    });
    const detail = await getProgramme(admin, p.id);
    expect(detail.totals).toMatchObject({ engagements: 3, organisations: 3, countries: 3, delegationsSent: 2, events: 1 });
    expect(detail.targets).toEqual({ delegations: 30, countries: 100, events: 500 });
    expect((await listProgrammes(admin)).map((x) => x.id)).toContain(p.id);
    await expect(deleteProgramme(admin, p.id)).rejects.toMatchObject({ code: "CONFLICT" });
    const renamed = await updateProgramme(admin, p.id, { nameEn: "Outreach after the 19th Congress" });
    expect(renamed.name.en).toBe("Outreach after the 19th Congress");
    await expect(updateProgramme(admin, p.id, { endDate: "2000-01-01" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("refuses bad input and deletes an empty programme", async () => {
    await expect(createProgramme(admin, { nameEn: "x", nameZh: "x", leadUnitId: 999_999 })).rejects.toMatchObject({
      details: { fields: [{ path: "leadUnitId" }] },
    });
    await expect(
      createProgramme(admin, { nameEn: "x", nameZh: "x", leadUnitId: admin.unitId, targets: { delegations: -1 } }),
    ).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    const p = await createProgramme(admin, { nameEn: "Empty", nameZh: "空", leadUnitId: admin.unitId });
    await deleteProgramme(admin, p.id);
    await expect(getProgramme(admin, p.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
