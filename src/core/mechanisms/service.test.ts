import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { administrator } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { createEngagement } from "../engagements/service.ts";
import { importGeography } from "../reference/service.ts";
import type { Actor } from "../shared/actor.ts";
import { addChair, addMember, createMechanism, deleteMechanism, getMechanism, membersOn, removeMember, updateMember } from "./service.ts";

let database: Database;
let admin: Actor;
const org: number[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
  await importGeography(admin);
  for (const [country, name] of [
    ["VNM", "Communist Party of Vietnam"],
    ["LAO", "Lao People's Revolutionary Party"],
    ["KHM", "Cambodian People's Party"],
  ]) {
    org.push(
      (
        await db()
          .insertInto("organisations")
          .values({ kind: "political_party", countryCode: country, nameEn: name as string })
          .returning("id")
          .executeTakeFirstOrThrow()
      ).id,
    );
  }
});
afterAll(() => database.close());

describe("mechanisms", () => {
  it("keeps dated membership and answers who were members on a date, and who chaired", async () => {
    const m = await createMechanism(admin, {
      kind: "consultation_mechanism",
      nameEn: "Theoretical seminar mechanism",
      nameZh: "理论研讨会机制",
      leadUnitId: admin.unitId,
      foundedOn: "2015-01-01",
    });
    await addMember(admin, m.id, { organisationId: org[0], joinedOn: "2015-01-01" });
    await addMember(admin, m.id, { organisationId: org[1], joinedOn: "2016-06-01", leftOn: "2019-12-31" });
    const third = await addMember(admin, m.id, { organisationId: org[2], joinedOn: "2018-01-01" });
    const names = async (on: string) => (await membersOn(admin, m.id, { on })).members.map((x) => x.organisation.id);
    expect(await names("2015-06-01")).toEqual([org[0]]);
    expect(await names("2018-06-01")).toEqual([org[0], org[1], org[2]]);
    expect(await names("2019-12-31")).toEqual([org[0], org[1], org[2]]);
    expect(await names("2020-01-01")).toEqual([org[0], org[2]]);
    await addChair(admin, m.id, { organisationId: org[0], startDate: "2015-01-01", endDate: "2017-12-31" });
    await addChair(admin, m.id, { organisationId: org[1], startDate: "2018-01-01", endDate: "2019-12-31" });
    expect((await membersOn(admin, m.id, { on: "2018-03-01" })).chair?.organisation.id).toBe(org[1]);
    expect((await membersOn(admin, m.id, { on: "2021-03-01" })).chair).toBeNull();
    // A chair must be a member, and terms do not overlap.
    await expect(addChair(admin, m.id, { organisationId: org[1], startDate: "2020-06-01" })).rejects.toMatchObject({
      details: { fields: [{ path: "organisationId" }] },
    });
    await expect(addChair(admin, m.id, { organisationId: org[2], startDate: "2019-06-01" })).rejects.toMatchObject({ code: "CONFLICT" });
    // Membership periods of one organisation do not overlap either.
    await expect(addMember(admin, m.id, { organisationId: org[0], joinedOn: "2020-01-01" })).rejects.toMatchObject({ code: "CONFLICT" });
    const thirdId = third.members.find((x) => x.organisation.id === org[2])?.id as number;
    await updateMember(admin, m.id, thirdId, { leftOn: "2021-06-30" });
    expect(await names("2021-07-01")).toEqual([org[0]]);
    await expect(updateMember(admin, m.id, thirdId, { leftOn: "2001-01-01" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    // Sessions are events of the mechanism, with their edition.
    await createEngagement(admin, {
      type: "event",
      direction: "hosted",
      subtype: "seminar",
      titleEn: "3rd theoretical seminar",
      startDate: "2019-05-01",
      leadUnitId: admin.unitId,
      mechanismId: m.id,
      details: { seriesEn: "Theoretical seminar", edition: 3 },
    });
    const detail = await getMechanism(admin, m.id);
    expect(detail.sessions.map((s) => [s.title.en, s.edition])).toEqual([["3rd theoretical seminar", 3]]);
    expect(detail.chairs).toHaveLength(2);
    const after = await removeMember(admin, m.id, thirdId);
    expect(after.members).toHaveLength(2);
    await deleteMechanism(admin, m.id);
    await expect(getMechanism(admin, m.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await db().selectFrom("engagements").select("mechanismId").where("titleEn", "=", "3rd theoretical seminar").execute()).toEqual([
      { mechanismId: null },
    ]);
  });

  it("refuses bad input", async () => {
    await expect(createMechanism(admin, { kind: "club", nameEn: "x", nameZh: "x", leadUnitId: admin.unitId })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    await expect(membersOn(admin, 999_999, {})).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(membersOn(admin, 1, { on: "yesterday" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(addMember(admin, 999_999, { organisationId: org[0], joinedOn: "2020-01-01" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});
