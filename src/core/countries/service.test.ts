import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorInFreshUnit, administrator, unique } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import {
  createCountryGroup,
  deleteCountryGroup,
  getCountryGroup,
  listCountryGroups,
  updateCountryGroup,
} from "../country-groups/service.ts";
import { importGeography } from "../reference/service.ts";
import type { Actor } from "../shared/actor.ts";
import { createCountry, getCountry, listCountries, listRegions, updateCountry } from "./service.ts";

let database: Database;
let admin: Actor;

beforeAll(async () => {
  database = await openTestDatabase();
  admin = await administrator();
  await importGeography(admin);
});
afterAll(() => database.close());

describe("countries and regions", () => {
  it("holds ISO countries with Chinese and English names and UN M49 regions", async () => {
    const regions = await listRegions(admin);
    expect(regions.find((r) => r.code === "142")).toMatchObject({ level: "region", name: { en: "Asia", zh: "亚洲" } });
    const china = await getCountry(admin, "chn");
    expect(china).toMatchObject({
      code: "CHN",
      iso2: "CN",
      name: { en: "China", zh: "中国" },
      region: { code: "142", name: { zh: "亚洲" } },
      subregion: { code: "030", name: { en: "Eastern Asia" } },
      historical: false,
    });
    const all = await listCountries(admin);
    expect(all.length).toBe(263);
    expect((await listCountries(admin, { historical: "true" })).map((c) => c.code)).toEqual(
      expect.arrayContaining(["DDR", "SUN", "YUG", "CSK", "VNR", "YMD", "AUH", "NFL"]),
    );
    expect((await listCountries(admin, { q: "越南" })).map((c) => c.code).sort()).toEqual(["VNM", "VNR"]);
    expect((await listCountries(admin, { q: "cote d" })).map((c) => c.code)).toEqual(["CIV"]);
  });

  it("lets an administrator rename a territory and add a historical one", async () => {
    const renamed = await updateCountry(admin, "TWN", { nameZh: "中国台湾", nameEn: "Taiwan, China" });
    expect(renamed.name).toEqual({ en: "Taiwan, China", zh: "中国台湾" });
    const code = `X${unique("")
      .slice(0, 2)
      .toUpperCase()
      .replace(/[^A-Z]/g, "Q")}`;
    const added = await createCountry(admin, {
      code,
      nameEn: "Kingdom of Sikkim",
      nameZh: "锡金王国",
      subregionCode: "034",
      historical: true,
      validFrom: 1642,
      validTo: 1975,
      successorCode: "IND",
    });
    expect(added).toMatchObject({ code, historical: true, region: { code: "142" }, subregion: { code: "034" }, successorCode: "IND" });
    // An edit changes what it gives: the kingdom renamed stays historical.
    expect(await updateCountry(admin, code, { nameEn: "Sikkim" })).toMatchObject({ name: { en: "Sikkim" }, historical: true });
    await expect(createCountry(admin, { code, nameEn: "Again", nameZh: "再", subregionCode: "034" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(updateCountry(admin, "TWN", { subregionCode: "999" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    const editor = await actorInFreshUnit("editor");
    await expect(updateCountry(editor, "TWN", { nameZh: "台湾" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("country groups", () => {
  it("creates, lists, renames, re-members and deletes a group", async () => {
    const editor = await actorInFreshUnit("editor");
    const key = unique("sco-");
    const group = await createCountryGroup(editor, {
      key,
      nameEn: "SCO members",
      nameZh: "上合组织成员国",
      countryCodes: ["CHN", "RUS", "KAZ", "KGZ", "TJK", "UZB", "IND", "PAK", "IRN", "chn"],
    });
    expect(group.countryCodes).toEqual(["CHN", "IND", "IRN", "KAZ", "KGZ", "PAK", "RUS", "TJK", "UZB"]);
    expect((await listCountries(editor, { group: key })).length).toBe(9);
    expect((await getCountry(editor, "KAZ")).groups.map((g) => g.key)).toContain(key);
    const updated = await updateCountryGroup(editor, group.id, { countryCodes: ["CHN", "RUS", "BLR"], nameEn: "SCO (part)" });
    expect(updated).toMatchObject({ name: { en: "SCO (part)", zh: "上合组织成员国" }, countryCodes: ["BLR", "CHN", "RUS"] });
    expect((await getCountryGroup(editor, key)).id).toBe(group.id);
    await expect(createCountryGroup(editor, { key, nameEn: "Dup", nameZh: "重复" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(updateCountryGroup(editor, group.id, { countryCodes: ["CHN", "QQQ"] })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: { fields: [{ path: "countryCodes.1" }] },
    });
    expect((await getCountryGroup(editor, group.id)).countryCodes).toEqual(["BLR", "CHN", "RUS"]);
    // A rename keeps the members.
    await updateCountryGroup(editor, group.id, { nameZh: "上合组织（部分）" });
    expect((await getCountryGroup(editor, group.id)).countryCodes).toEqual(["BLR", "CHN", "RUS"]);
    expect((await listCountryGroups(editor)).map((g) => g.key)).toContain(key);
    await deleteCountryGroup(admin, group.id);
    await expect(getCountryGroup(editor, group.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
