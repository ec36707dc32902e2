import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultPlacePolicy } from "../src/core/countries/places.ts";
import { importGeography } from "../src/core/reference/service.ts";
import type { Database } from "../src/db/connection.ts";
import { buildApp } from "../src/server/app.ts";
import { openTestDatabase } from "./support/database.ts";
import { administrator, unique } from "./support/factories.ts";

let database: Database;
let app: FastifyInstance;
let orgId: number;
let otherOrgId: number;
let personId: number;
let groupId: number;
let tagId: number;
let unitId: number;
let userId: number;
let engagementId: number;
let programmeId: number;
let mechanismId: number;
let noteId: number;

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
const call = (method: Method, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }), headers });

beforeAll(async () => {
  database = await openTestDatabase();
  const admin = await administrator();
  await importGeography(admin);
  app = await buildApp({ resolveActor: () => admin, writeRateLimit: 100_000, webAppDir: null });
  const org = await call("POST", "/api/organisations", {
    kind: "political_party",
    countryCode: "KEN",
    names: [
      { kind: "official", lang: "en", value: "Orange Democratic Movement" },
      { kind: "abbreviation", lang: "en", value: "ODM" },
    ],
  });
  orgId = org.json().id;
  otherOrgId = (
    await call("POST", "/api/organisations", { kind: "movement", names: [{ kind: "official", lang: "en", value: "Other" }] })
  ).json().id;
  personId = (await call("POST", "/api/people", { nameEn: "Raila Odinga", nameZh: "奥廷加" })).json().id;
  groupId = (
    await call("POST", "/api/country-groups", { key: unique("g-"), nameEn: "East Africa", nameZh: "东非", countryCodes: ["KEN"] })
  ).json().id;
  tagId = (await call("POST", "/api/tags", { key: unique("t-"), nameEn: "Tag", nameZh: "标签" })).json().id;
  unitId = (
    await call("POST", "/api/units", {
      kind: "bureau",
      key: unique("b-"),
      nameEn: "Africa bureau",
      nameZh: "非洲局",
      parentId: admin.unitId,
    })
  ).json().id;
  userId = (await call("POST", "/api/users", { username: unique("u."), displayName: "User" })).json().id;
  programmeId = (await call("POST", "/api/programmes", { nameEn: "Centenary", nameZh: "建党百年", leadUnitId: admin.unitId })).json().id;
  mechanismId = (
    await call("POST", "/api/mechanisms", { kind: "party_forum", nameEn: "Forum", nameZh: "论坛", leadUnitId: admin.unitId })
  ).json().id;
  engagementId = (
    await call("POST", "/api/engagements", {
      type: "correspondence",
      direction: "received",
      subtype: "congratulatory_message",
      titleEn: "Congratulations on the centenary",
      titleZh: "祝贺建党百年",
      startDate: "2021-07-01",
      leadUnitId: admin.unitId,
      programmeId,
      participants: [{ organisationId: orgId, role: "sender" }],
      details: { occasion: "anniversary" },
    })
  ).json().id;
  noteId = (await call("POST", `/api/organisations/${orgId}/notes`, { body: "Met at the forum." })).json().id;
});
afterAll(async () => {
  await app?.close();
  await database.close();
});

describe("HTTP API", () => {
  it("serves the OpenAPI 3.1 document, the docs page and health", async () => {
    const doc = (await call("GET", "/api/openapi.json")).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/organisations", "/api/organisations/{id}", "/api/people", "/api/countries"]),
    );
    expect(doc.paths["/api/organisations"].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining([
        "q",
        "country",
        "region",
        "group",
        "kind",
        "family",
        "level",
        "inGovernmentOn",
        "tag",
        "page",
        "pageSize",
        "sort",
      ]),
    );
    const docs = await call("GET", "/api/docs/");
    expect(docs.statusCode).toBe(200);
    expect(docs.headers["content-type"]).toContain("text/html");
    expect((await call("GET", "/")).headers.location).toBe("/api/docs");
    expect((await call("GET", "/health")).json()).toMatchObject({ status: "ok" });
  });

  it("serves a built web app: its page for every app path, assets cached, the API's 404s as JSON", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-web-"));
    fs.mkdirSync(path.join(dir, "assets"));
    fs.writeFileSync(path.join(dir, "index.html"), '<!doctype html><div id="root"></div>');
    fs.writeFileSync(path.join(dir, "assets/app-1234.js"), "console.log(1)");
    const web = await buildApp({ resolveActor: () => undefined, webAppDir: dir });
    try {
      const page = (url: string) => web.inject({ method: "GET", url, headers: { accept: "text/html,*/*" } });
      for (const url of ["/", "/organisations/12", "/engagements?type=visit&from=2021-01-01"]) {
        const response = await page(url);
        expect(response.statusCode, url).toBe(200);
        expect(response.body, url).toContain('<div id="root">');
        expect(response.headers["cache-control"], url).toBe("no-cache");
      }
      const asset = await web.inject({ method: "GET", url: "/assets/app-1234.js" });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers["cache-control"]).toContain("immutable");
      const missing = await page("/api/nothing-here");
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toMatchObject({ code: "NOT_FOUND" });
      expect((await web.inject({ method: "GET", url: "/assets/none.js" })).statusCode).toBe(404);
      expect((await web.inject({ method: "GET", url: "/api/organisations" })).statusCode).toBe(401);
    } finally {
      await web.close();
    }
  });

  it("creates, reads, changes and lists through REST", async () => {
    const page = await call("GET", "/api/organisations?q=odm&country=ken");
    expect(page.statusCode).toBe(200);
    expect(page.json()).toMatchObject({
      total: 1,
      items: [{ id: orgId, abbreviation: "ODM", country: { code: "KEN", name: { zh: "肯尼亚" } } }],
    });
    const patched = await call("PATCH", `/api/organisations/${orgId}`, { foundedYear: 2005, family: "soc" });
    expect(patched.json()).toMatchObject({ foundedYear: 2005, family: "soc" });
    const status = await call("POST", `/api/organisations/${orgId}/statuses`, { status: "opposition", validFrom: "2022-09-13" });
    expect(status.statusCode).toBe(201);
    const congress = await call("POST", `/api/organisations/${orgId}/congresses`, {
      opensOn: "2027-02-20",
      ordinal: 4,
      nameEn: "4th National Delegates Conference",
    });
    expect(congress.statusCode).toBe(201);
    expect(congress.json().congresses).toMatchObject([
      { opensOn: "2027-02-20", ordinal: 4, name: { en: "4th National Delegates Conference", zh: null } },
    ]);
    const again = await call("POST", `/api/organisations/${orgId}/congresses`, { opensOn: "2027-02-20" });
    expect(again.statusCode).toBe(409);
    const relationship = await call("PUT", `/api/organisations/${orgId}/relationship`, {
      level: "regular",
      since: "2010-01-01",
      leadUnitId: unitId,
    });
    expect(relationship.json().relationship).toMatchObject({ level: "regular", leadUnit: { id: unitId, name: { zh: "非洲局" } } });
    const withPosition = await call("POST", `/api/people/${personId}/positions`, {
      organisationId: orgId,
      titleEn: "Party leader",
      titleZh: "党首",
    });
    expect(withPosition.statusCode).toBe(201);
    expect((await call("GET", `/api/organisations/${orgId}`)).json().people[0]).toMatchObject({
      person: { id: personId, name: { zh: "奥廷加" } },
    });
    const counts = (await call("GET", "/api/organisations/counts?by=country")).json();
    expect(counts).toEqual({
      by: "country",
      total: 2,
      items: [
        { key: "KEN", count: 1, label: { en: "Kenya", zh: "肯尼亚" } },
        { key: null, count: 1, label: null },
      ],
    });
    const byKind = (await call("GET", "/api/organisations/counts?by=kind&country=KEN")).json();
    expect(byKind.items).toEqual([{ key: "political_party", count: 1, label: { en: "Political party", zh: "政党" } }]);
    expect((await call("GET", "/api/vocabulary")).json().organisationKinds.political_party).toEqual({ en: "Political party", zh: "政党" });
    expect((await call("GET", "/api/stats")).json()).toMatchObject({ organisations: 2, people: 1 });
    const audit = await call("GET", `/api/audit?entity=organisation&entityId=${orgId}`);
    expect(audit.json().items.map((a: { action: string }) => a.action)).toEqual(["update", "create"]);
    const beyond = await call("GET", `/api/audit?entity=organisation&entityId=${orgId}&page=9`);
    expect(beyond.json()).toMatchObject({ items: [], total: 2 });
    expect((await call("DELETE", `/api/tags/${tagId}`)).statusCode).toBe(204);
  });

  it("records engagements through REST: counts, timeline, attachments, programmes and mechanisms", async () => {
    const detail = (await call("GET", `/api/engagements/${engagementId}`)).json();
    expect(detail).toMatchObject({
      type: "correspondence",
      title: { zh: "祝贺建党百年" },
      programme: { id: programmeId },
      countriesReached: [{ code: "KEN", name: { zh: "肯尼亚" } }],
    });
    const counts = (await call("GET", `/api/engagements/counts?by=type&programmeId=${programmeId}`)).json();
    expect(counts).toMatchObject({
      source: "rollup",
      total: { engagements: 1, organisations: 1, countries: 1 },
      rows: [{ key: "correspondence:received", label: { en: "Correspondence received", zh: "收到函电" } }],
    });
    const timeline = (await call("GET", `/api/organisations/${orgId}/engagements`)).json();
    expect(timeline.items.map((i: { id: number }) => i.id)).toEqual([engagementId]);
    const listed = (await call("GET", "/api/engagements?type=correspondence&from=2021-01-01&q=centenary")).json();
    expect(listed.items.map((i: { id: number }) => i.id)).toEqual([engagementId]);
    const pdf = "%PDF-1.4\n%%EOF\n";
    const uploaded = await app.inject({
      method: "POST",
      url: `/api/engagements/${engagementId}/attachments?fileName=${encodeURIComponent("贺信.pdf")}`,
      payload: pdf,
      headers: { "content-type": "application/pdf" },
    });
    expect(uploaded.statusCode).toBe(201);
    const attachment = uploaded.json();
    const download = await call("GET", `/api/engagements/${engagementId}/attachments/${attachment.id}`);
    expect(download.body).toBe(pdf);
    expect(download.headers["content-disposition"]).toBe(`attachment; filename*=UTF-8''${encodeURIComponent("贺信.pdf")}`);
    const wrongType = await app.inject({
      method: "POST",
      url: `/api/engagements/${engagementId}/attachments?fileName=x.pdf`,
      payload: "MZ not a pdf",
      headers: { "content-type": "application/pdf" },
    });
    expect(wrongType.json()).toMatchObject({ code: "VALIDATION_FAILED" });
    expect((await call("DELETE", `/api/engagements/${engagementId}/attachments/${attachment.id}`)).statusCode).toBe(204);
    expect((await call("GET", `/api/programmes/${programmeId}`)).json().totals).toMatchObject({ engagements: 1, countries: 1 });
    const member = await call("POST", `/api/mechanisms/${mechanismId}/members`, { organisationId: orgId, joinedOn: "2020-01-01" });
    expect(member.statusCode).toBe(201);
    const on = (await call("GET", `/api/mechanisms/${mechanismId}/members?on=2021-01-01`)).json();
    expect(on.members.map((m: { organisation: { id: number } }) => m.organisation.id)).toEqual([orgId]);
    await call("POST", `/api/mechanisms/${mechanismId}/chairs`, { organisationId: orgId, startDate: "2021-01-01", endDate: "2021-12-31" });
    expect((await call("GET", `/api/organisations/${orgId}/memberships`)).json()).toEqual([
      {
        id: expect.any(Number),
        mechanism: { id: mechanismId, kind: "party_forum", name: { en: "Forum", zh: "论坛" } },
        joinedOn: "2020-01-01",
        leftOn: null,
        chaired: [{ startDate: "2021-01-01", endDate: "2021-12-31" }],
      },
    ]);
    expect((await call("GET", `/api/organisations/${otherOrgId}/memberships`)).json()).toEqual([]);
    // A series' editions: events that name it, and nothing else.
    const edition = (n: number, date: string) =>
      call("POST", "/api/engagements", {
        type: "event",
        direction: "hosted",
        subtype: "forum",
        titleEn: `Series forum ${n}`,
        startDate: date,
        leadUnitId: unitId,
        details: { seriesEn: "Series of forums", edition: n },
      });
    await edition(1, "2019-05-01");
    await edition(2, "2021-05-01");
    const editions = (await call("GET", `/api/engagements?series=${encodeURIComponent("Series of forums")}&sort=date`)).json();
    expect(editions.items.map((e: { title: { en: string } }) => e.title.en)).toEqual(["Series forum 1", "Series forum 2"]);
    expect((await call("GET", "/api/vocabulary")).json().eventFormats.thematic_briefing).toEqual({
      en: "Thematic briefing",
      zh: "专题宣介会",
    });
  });

  it("answers a merged record's id with a pointer: 301 to the survivor on a read, 404 naming it on a change", async () => {
    const create = async (value: string) =>
      (
        await call("POST", "/api/organisations", { kind: "movement", countryCode: "KEN", names: [{ kind: "official", lang: "en", value }] })
      ).json().id as number;
    const survivor = await create("Green Belt Movement");
    const merged = await create("Green-Belt Movement");
    const candidates = (await call("GET", `/api/duplicates/organisations?id=${merged}`)).json();
    expect(candidates.items[0]).toMatchObject({ a: { id: survivor }, b: { id: merged } });
    expect(candidates.items[0].reasons).toContainEqual({ rule: "same_name", value: "greenbeltmovement" });
    const result = await call("POST", "/api/organisations/merge", { survivorId: survivor, mergedId: merged });
    expect(result.statusCode, result.body).toBe(200);
    const read = await call("GET", `/api/organisations/${merged}?x=1`);
    expect(read.statusCode).toBe(301);
    expect(read.headers.location).toBe(`/api/organisations/${survivor}?x=1`);
    expect(read.json()).toMatchObject({ code: "MOVED_PERMANENTLY", details: { mergedInto: survivor } });
    const nested = await call("GET", `/api/organisations/${merged}/notes`);
    expect([nested.statusCode, nested.headers.location]).toEqual([301, `/api/organisations/${survivor}/notes`]);
    const change = await call("PATCH", `/api/organisations/${merged}`, { foundedYear: 1977 });
    expect(change.statusCode).toBe(404);
    expect(change.json().details).toMatchObject({ mergedInto: survivor });
    // Its history stays readable under its own id, and ends with the merge.
    const history = (await call("GET", `/api/organisations/${merged}/history`)).json();
    expect(history.items[0]).toMatchObject({ action: "merged_into" });
  });

  it("streams the full export as JSON", async () => {
    const response = await call("GET", "/api/export");
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.format).toBe("liaison-export");
    expect(body.tables.organisations.map((o: { id: number }) => o.id)).toEqual(expect.arrayContaining([orgId, otherOrgId]));
    expect(body.tables.countries.length).toBe(263);
  });

  it("tells a relationship's health and puts the partners needing attention on a worklist", async () => {
    const response = await call("GET", "/api/partners/health?attention=false&on=2026-12-01");
    const health = response.json();
    if (!Array.isArray(health)) throw new Error(response.body);
    const odm = health.find((h: { organisation: { id: number } }) => h.organisation.id === orgId);
    expect(odm).toMatchObject({
      level: "regular",
      lastContact: "2021-07-01",
      lastYear: 0,
      expected: 2,
      // The letter of July 2021 is more than five years old: reciprocity counts the last five.
      reciprocity: { visitsSent: 0, visitsReceived: 0, lettersSent: 0, lettersReceived: 0 },
    });
    expect(odm.signals).toEqual(expect.arrayContaining(["overdue", "below_expectation"]));
    // Founded 2005: its 25th anniversary falls in 2030, not this year or next. Coming on 1 December
    // 2026: Kenya's national day (12 December) and the congress entered for February 2027.
    expect(odm.anniversary).toBeNull();
    expect(odm.occasions).toEqual([
      {
        kind: "congress",
        date: "2027-02-20",
        year: 2027,
        years: null,
        ordinal: 4,
        name: { en: "4th National Delegates Conference", zh: null },
      },
      { kind: "national_day", date: "2026-12-12", year: 2026, years: null, ordinal: null, name: null },
    ]);
    expect(odm.signals).toContain("anniversary");
    // Judged from 1 March 2027 the congress is past and the national day far off.
    const later = (await call("GET", "/api/partners/health?attention=false&on=2027-03-01")).json();
    expect(later.find((h: { organisation: { id: number } }) => h.organisation.id === orgId).occasions).toEqual([]);
    const worklist = (await call("GET", "/api/partners/health")).json();
    expect(worklist.every((h: { signals: string[] }) => h.signals.length > 0)).toBe(true);
  });

  it("draws the partner network: events and mechanisms shared, relations, our units", async () => {
    const network = (await call("GET", "/api/network")).json();
    const kinds = new Set(network.edges.map((e: { kind: string }) => e.kind));
    expect(kinds.has("member")).toBe(true);
    expect(kinds.has("engaged_by")).toBe(true);
    expect(network.nodes.find((n: { id: string }) => n.id === `o${orgId}`)).toMatchObject({ kind: "organisation", country: "KEN" });
    expect(network.nodes.find((n: { id: string }) => n.id === `m${mechanismId}`)).toMatchObject({
      kind: "mechanism",
      name: { en: "Forum" },
    });
    const ids = new Set(network.nodes.map((n: { id: string }) => n.id));
    expect(network.edges.every((e: { source: string; target: string }) => ids.has(e.source) && ids.has(e.target))).toBe(true);
    const focused = (await call("GET", `/api/network?focus=${otherOrgId}`)).json();
    expect(focused.nodes.map((n: { id: string }) => n.id)).toEqual([`o${otherOrgId}`]);
  });

  it("lists partners not contacted for over a year", async () => {
    const dormant = (await call("GET", "/api/partners/dormant?days=365")).json();
    expect(dormant).toEqual([
      expect.objectContaining({
        organisation: expect.objectContaining({ id: orgId }),
        lastContact: "2021-07-01",
        relationshipLevel: "regular",
      }),
    ]);
    expect(dormant[0].daysSince).toBeGreaterThan(365);
    expect((await call("GET", "/api/partners/dormant?days=3650")).json()).toEqual([]);
  });

  it("exports the engagement list as CSV with a byte-order mark, formulas neutralised", async () => {
    await call("POST", "/api/engagements", {
      type: "correspondence",
      direction: "sent",
      subtype: "letter",
      titleEn: '=HYPERLINK("x"), "quoted"',
      titleZh: "回信",
      startDate: "2021-07-02",
      leadUnitId: unitId,
    });
    const response = await call("GET", "/api/engagements/export?type=correspondence&from=2021-07-01&to=2021-07-31");
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toContain("text/csv");
    expect(response.headers["content-disposition"]).toMatch(/attachment; filename="liaison-engagements-\d{4}-\d{2}-\d{2}\.csv"/);
    const lines = response.body.split("\r\n");
    expect(lines[0]?.startsWith("\uFEFFid,type,direction")).toBe(true);
    expect(lines[1]).toMatch(new RegExp(`^${engagementId},correspondence,received,congratulatory_message,`));
    expect(lines[2]).toContain(`"'=HYPERLINK(""x""), ""quoted"""`);
    expect(lines[2]).toContain("回信");
    expect(lines.filter(Boolean)).toHaveLength(3);
  });

  it("answers errors as {code, message, details} with security headers and no internals", async () => {
    const missing = await call("GET", "/api/organisations/99999999");
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({
      code: "NOT_FOUND",
      message: "No organisation with id 99999999.",
      details: { entity: "organisation", id: 99999999 },
    });
    expect(missing.headers["x-content-type-options"]).toBe("nosniff");
    expect(missing.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(missing.headers["content-security-policy"]).not.toContain("upgrade-insecure-requests");
    const noRoute = await call("GET", "/api/nothing-here");
    expect(noRoute.json().code).toBe("NOT_FOUND");
    const badJson = await app.inject({
      method: "POST",
      url: "/api/organisations",
      payload: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().code).toBe("BAD_REQUEST");
    const crossOrigin = await call("POST", "/api/tags", { key: "x", nameEn: "X", nameZh: "X" }, { origin: "https://evil.example" });
    expect(crossOrigin.statusCode).toBe(403);
    const sameOrigin = await call(
      "POST",
      "/api/tags",
      { key: unique("ok-"), nameEn: "X", nameZh: "X" },
      { origin: "http://localhost:8080", host: "localhost:8080" },
    );
    expect(sameOrigin.statusCode).toBe(201);
  });
});

// Every API route with inputs it must refuse with a 4xx and a clear message.
const badInputs: Array<{
  route: string;
  cases: Array<{ url: () => string; body?: unknown | (() => unknown); status?: number; field?: string }>;
}> = [
  {
    route: "GET /api/organisations",
    cases: [
      { url: () => "/api/organisations?page=0", field: "page" },
      { url: () => "/api/organisations?pageSize=1000", field: "pageSize" },
      { url: () => "/api/organisations?kind=pirate", field: "kind" },
      { url: () => "/api/organisations?inGovernmentOn=2022-02-30", field: "inGovernmentOn" },
      { url: () => "/api/organisations?country=%27%3B--", field: "country" },
      { url: () => "/api/organisations?sort=password", field: "sort" },
      { url: () => "/api/organisations?withTotal=maybe", field: "withTotal" },
      { url: () => `/api/organisations?q=${"x".repeat(300)}`, field: "q" },
      { url: () => "/api/organisations?region=asia", field: "region" },
    ],
  },
  {
    route: "GET /api/organisations/counts",
    cases: [
      { url: () => "/api/organisations/counts?by=colour", field: "by" },
      { url: () => "/api/organisations/counts?kind=pirate", field: "kind" },
    ],
  },
  {
    route: "GET /api/organisations/:id",
    cases: [
      { url: () => "/api/organisations/abc", field: "id" },
      { url: () => "/api/organisations/-1", field: "id" },
      { url: () => "/api/organisations/99999999999", field: "id" },
      { url: () => "/api/organisations/424242", status: 404 },
    ],
  },
  {
    route: "POST /api/organisations",
    cases: [
      { url: () => "/api/organisations", body: {}, field: "kind" },
      { url: () => "/api/organisations", body: { kind: "political_party", names: [] }, field: "names" },
      {
        url: () => "/api/organisations",
        body: { kind: "political_party", names: [{ kind: "official", lang: "english", value: "X" }] },
        field: "names.0.lang",
      },
      {
        url: () => "/api/organisations",
        body: { kind: "political_party", names: [{ kind: "official", lang: "en", value: "   " }] },
        field: "names.0.value",
      },
      {
        url: () => "/api/organisations",
        body: { kind: "other", names: [{ kind: "official", lang: "en", value: "X" }], countryCode: "ZZZ" },
        field: "countryCode",
      },
      {
        url: () => "/api/organisations",
        body: { kind: "other", names: [{ kind: "official", lang: "en", value: "X" }], website: "javascript:alert(1)" },
        field: "website",
      },
      {
        url: () => "/api/organisations",
        body: { kind: "other", names: [{ kind: "official", lang: "en", value: "X" }], wikidataId: "P31" },
        field: "wikidataId",
      },
      {
        url: () => "/api/organisations",
        body: { kind: "other", names: [{ kind: "official", lang: "en", value: "X" }], foundedYear: 2000, dissolvedYear: 1990 },
        field: "dissolvedYear",
      },
      {
        url: () => "/api/organisations",
        body: () => ({ kind: "other", names: [{ kind: "official", lang: "en", value: "X" }], unitId: 1 }),
        field: "(root)",
      },
      { url: () => "/api/organisations", body: "just a string" },
    ],
  },
  {
    route: "PATCH /api/organisations/:id",
    cases: [
      { url: () => `/api/organisations/${orgId}`, body: {}, field: "(root)" },
      { url: () => `/api/organisations/${orgId}`, body: { foundedYear: "nineteen" }, field: "foundedYear" },
      { url: () => `/api/organisations/${orgId}`, body: { tags: ["Not A Key"] }, field: "tags.0" },
      { url: () => `/api/organisations/${orgId}`, body: { family: "anarchist" }, field: "family" },
      { url: () => "/api/organisations/424242", body: { foundedYear: 1999 }, status: 404 },
    ],
  },
  {
    route: "DELETE /api/organisations/:id",
    cases: [
      { url: () => "/api/organisations/x", field: "id" },
      { url: () => "/api/organisations/424242", status: 404 },
    ],
  },
  {
    route: "POST /api/organisations/:id/statuses",
    cases: [
      { url: () => `/api/organisations/${orgId}/statuses`, body: { status: "in_government" }, field: "validFrom" },
      { url: () => `/api/organisations/${orgId}/statuses`, body: { status: "ruling", validFrom: "2020-01-01" }, field: "status" },
      {
        url: () => `/api/organisations/${orgId}/statuses`,
        body: { status: "banned", validFrom: "2020-01-01", validTo: "2019-01-01" },
        field: "validTo",
      },
      { url: () => "/api/organisations/424242/statuses", body: { status: "banned", validFrom: "2020-01-01" }, status: 404 },
    ],
  },
  {
    route: "DELETE /api/organisations/:id/statuses/:statusId",
    cases: [
      { url: () => `/api/organisations/${orgId}/statuses/abc`, field: "statusId" },
      { url: () => `/api/organisations/${orgId}/statuses/424242`, status: 404 },
    ],
  },
  {
    route: "POST /api/organisations/:id/congresses",
    cases: [
      { url: () => `/api/organisations/${orgId}/congresses`, body: {}, field: "opensOn" },
      { url: () => `/api/organisations/${orgId}/congresses`, body: { opensOn: "next spring" }, field: "opensOn" },
      { url: () => `/api/organisations/${orgId}/congresses`, body: { opensOn: "2027-01-01", ordinal: 0 }, field: "ordinal" },
      { url: () => "/api/organisations/424242/congresses", body: { opensOn: "2027-01-01" }, status: 404 },
    ],
  },
  {
    route: "DELETE /api/organisations/:id/congresses/:congressId",
    cases: [
      { url: () => `/api/organisations/${orgId}/congresses/abc`, field: "congressId" },
      { url: () => `/api/organisations/${orgId}/congresses/424242`, status: 404 },
    ],
  },
  {
    route: "PUT /api/organisations/:id/relationship",
    cases: [
      { url: () => `/api/organisations/${orgId}/relationship`, body: { level: "friends" }, field: "level" },
      { url: () => `/api/organisations/${orgId}/relationship`, body: { level: "contact", leadUnitId: 424242 }, field: "leadUnitId" },
      { url: () => `/api/organisations/${orgId}/relationship`, body: { level: "contact", since: "yesterday" }, field: "since" },
      { url: () => "/api/organisations/424242/relationship", body: { level: "contact" }, status: 404 },
    ],
  },
  {
    route: "POST /api/organisations/:id/relations",
    cases: [
      { url: () => `/api/organisations/${orgId}/relations`, body: { kind: "member_of" }, field: "toOrganisationId" },
      {
        url: () => `/api/organisations/${orgId}/relations`,
        body: () => ({ kind: "enemy_of", toOrganisationId: otherOrgId }),
        field: "kind",
      },
      {
        url: () => `/api/organisations/${orgId}/relations`,
        body: { kind: "member_of", toOrganisationId: 424242 },
        field: "toOrganisationId",
      },
      {
        url: () => `/api/organisations/${orgId}/relations`,
        body: () => ({ kind: "member_of", toOrganisationId: orgId }),
        field: "toOrganisationId",
      },
    ],
  },
  {
    route: "DELETE /api/organisations/:id/relations/:relationId",
    cases: [
      { url: () => `/api/organisations/${orgId}/relations/0`, field: "relationId" },
      { url: () => `/api/organisations/${orgId}/relations/424242`, status: 404 },
    ],
  },
  {
    route: "GET /api/people",
    cases: [
      { url: () => "/api/people?organisationId=abc", field: "organisationId" },
      { url: () => "/api/people?sort=age", field: "sort" },
      { url: () => "/api/people?withTotal=0", field: "withTotal" },
    ],
  },
  {
    route: "GET /api/people/:id",
    cases: [
      { url: () => "/api/people/1.5", field: "id" },
      { url: () => "/api/people/424242", status: 404 },
    ],
  },
  {
    route: "POST /api/people",
    cases: [
      { url: () => "/api/people", body: {}, field: "nameEn" },
      { url: () => "/api/people", body: { nameEn: "X", gender: "robot" }, field: "gender" },
      { url: () => "/api/people", body: { nameEn: "X", birthYear: 20000 }, field: "birthYear" },
      { url: () => "/api/people", body: { nameEn: "X", countryCode: "QQ" }, field: "countryCode" },
    ],
  },
  {
    route: "PATCH /api/people/:id",
    cases: [
      { url: () => `/api/people/${personId}`, body: {}, field: "(root)" },
      { url: () => `/api/people/${personId}`, body: { aliases: "one" }, field: "aliases" },
      { url: () => "/api/people/424242", body: { nameZh: "某" }, status: 404 },
    ],
  },
  { route: "DELETE /api/people/:id", cases: [{ url: () => "/api/people/424242", status: 404 }] },
  {
    route: "POST /api/people/:id/positions",
    cases: [
      { url: () => `/api/people/${personId}/positions`, body: { titleEn: "X" }, field: "organisationId" },
      {
        url: () => `/api/people/${personId}/positions`,
        body: () => ({ organisationId: orgId, titleEn: "X", startDate: "2020-13-01" }),
        field: "startDate",
      },
      { url: () => "/api/people/424242/positions", body: () => ({ organisationId: orgId, titleEn: "X" }), status: 404 },
    ],
  },
  {
    route: "PUT /api/people/:id/positions/:positionId",
    cases: [
      { url: () => `/api/people/${personId}/positions/424242`, body: () => ({ organisationId: orgId, titleEn: "X" }), status: 404 },
      { url: () => `/api/people/${personId}/positions/1`, body: () => ({ organisationId: orgId }), field: "titleEn" },
    ],
  },
  {
    route: "DELETE /api/people/:id/positions/:positionId",
    cases: [{ url: () => `/api/people/${personId}/positions/424242`, status: 404 }],
  },
  { route: "GET /api/people/:id/contacts", cases: [{ url: () => "/api/people/424242/contacts", status: 404 }] },
  {
    route: "POST /api/people/:id/contacts",
    cases: [
      { url: () => `/api/people/${personId}/contacts`, body: { kind: "pigeon", value: "x" }, field: "kind" },
      { url: () => `/api/people/${personId}/contacts`, body: { kind: "email" }, field: "value" },
      { url: () => `/api/people/${personId}/contacts`, body: () => ({ kind: "email", value: "x", createdBy: 5 }), field: "(root)" },
      { url: () => `/api/people/${personId}/contacts`, body: () => ({ kind: "email", value: "x", unitId: 424242 }), field: "unitId" },
    ],
  },
  { route: "DELETE /api/people/:id/contacts/:contactId", cases: [{ url: () => `/api/people/${personId}/contacts/424242`, status: 404 }] },
  { route: "GET /api/regions", cases: [] },
  {
    route: "GET /api/countries",
    cases: [
      { url: () => "/api/countries?region=1", field: "region" },
      { url: () => "/api/countries?historical=maybe", field: "historical" },
    ],
  },
  {
    route: "GET /api/countries/:code",
    cases: [
      { url: () => "/api/countries/QQQ", status: 404 },
      { url: () => "/api/countries/%3Cscript%3E", field: "code" },
    ],
  },
  {
    route: "POST /api/countries",
    cases: [
      { url: () => "/api/countries", body: { code: "DEU", nameEn: "Germany", nameZh: "德国", subregionCode: "155" }, status: 409 },
      { url: () => "/api/countries", body: { code: "xx-1", nameEn: "X", nameZh: "X", subregionCode: "155" }, field: "code" },
      { url: () => "/api/countries", body: { code: "XQA", nameEn: "X", nameZh: "X", subregionCode: "999" }, field: "subregionCode" },
      {
        url: () => "/api/countries",
        body: { code: "XQB", nameEn: "X", nameZh: "X", subregionCode: "155", successorCode: "QQQ" },
        field: "successorCode",
      },
    ],
  },
  {
    route: "PATCH /api/countries/:code",
    cases: [
      { url: () => "/api/countries/DEU", body: { nameZh: "" }, field: "nameZh" },
      { url: () => "/api/countries/QQQ", body: { nameZh: "某" }, status: 404 },
    ],
  },
  { route: "GET /api/country-groups", cases: [] },
  {
    route: "GET /api/country-groups/:idOrKey",
    cases: [
      { url: () => "/api/country-groups/no-such-group", status: 404 },
      // Digits past any id are a key no group has, not a database error.
      { url: () => "/api/country-groups/99999999999", status: 404 },
    ],
  },
  {
    route: "POST /api/country-groups",
    cases: [
      { url: () => "/api/country-groups", body: { key: "Bad Key", nameEn: "X", nameZh: "X" }, field: "key" },
      {
        url: () => "/api/country-groups",
        body: { key: unique("k-"), nameEn: "X", nameZh: "X", countryCodes: ["DEU", "QQQ"] },
        field: "countryCodes.1",
      },
    ],
  },
  {
    route: "PATCH /api/country-groups/:id",
    cases: [
      { url: () => `/api/country-groups/${groupId}`, body: { countryCodes: "DEU" }, field: "countryCodes" },
      { url: () => "/api/country-groups/424242", body: { nameEn: "X" }, status: 404 },
    ],
  },
  { route: "DELETE /api/country-groups/:id", cases: [{ url: () => "/api/country-groups/424242", status: 404 }] },
  ...(["tags", "topics"] as const).flatMap((kind) => [
    { route: `GET /api/${kind}`, cases: [] },
    {
      route: `POST /api/${kind}`,
      cases: [
        { url: () => `/api/${kind}`, body: { key: "x" }, field: "nameEn" },
        { url: () => `/api/${kind}`, body: { key: "-x", nameEn: "X", nameZh: "X" }, field: "key" },
      ],
    },
    {
      route: `PATCH /api/${kind}/:id`,
      cases: [
        { url: () => `/api/${kind}/424242`, body: { nameEn: "X" }, status: 404 },
        { url: () => `/api/${kind}/1`, body: { nameEn: 5 }, field: "nameEn" },
      ],
    },
    { route: `DELETE /api/${kind}/:id`, cases: [{ url: () => `/api/${kind}/424242`, status: 404 }] },
  ]),
  { route: "GET /api/units", cases: [] },
  {
    route: "POST /api/units",
    cases: [
      { url: () => "/api/units", body: { kind: "embassy", key: "k", nameEn: "X", nameZh: "X" }, field: "kind" },
      { url: () => "/api/units", body: { kind: "bureau", key: "k2", nameEn: "X", nameZh: "X", parentId: 424242 }, field: "parentId" },
    ],
  },
  {
    route: "PATCH /api/units/:id",
    cases: [
      { url: () => `/api/units/${unitId}`, body: () => ({ parentId: unitId }), status: 409 },
      { url: () => "/api/units/424242", body: { nameEn: "X" }, status: 404 },
      { url: () => `/api/units/${unitId}`, body: { approvalLevels: 3 }, field: "approvalLevels" },
      { url: () => `/api/units/${unitId}`, body: { approvalLevels: "two" }, field: "approvalLevels" },
    ],
  },
  { route: "GET /api/users", cases: [] },
  {
    route: "POST /api/users",
    cases: [
      { url: () => "/api/users", body: { username: "Has Spaces", displayName: "X" }, field: "username" },
      {
        url: () => "/api/users",
        body: () => ({ username: "ok.name", displayName: "X", roles: [{ unitId: 1, role: "king" }] }),
        field: "roles.0.role",
      },
    ],
  },
  {
    route: "PATCH /api/users/:id",
    cases: [
      { url: () => `/api/users/${userId}`, body: { disabled: "yes" }, field: "disabled" },
      { url: () => "/api/users/424242", body: { displayName: "X" }, status: 404 },
    ],
  },
  { route: "GET /api/me", cases: [] },
  { route: "GET /api/vocabulary", cases: [] },
  { route: "GET /api/stats", cases: [] },
  {
    route: "GET /api/audit",
    cases: [
      { url: () => "/api/audit?from=last-week", field: "from" },
      { url: () => "/api/audit?actorId=me", field: "actorId" },
    ],
  },
  {
    route: "GET /api/engagements",
    cases: [
      { url: () => "/api/engagements?type=party", field: "type.0" },
      { url: () => "/api/engagements?from=2021-13-01", field: "from" },
      { url: () => "/api/engagements?status=maybe", field: "status" },
      { url: () => "/api/engagements?withTotal=no", field: "withTotal" },
      { url: () => "/api/engagements?partnerStatus=ruling", field: "partnerStatus" },
      { url: () => "/api/engagements?topicId=abc", field: "topicId" },
      { url: () => `/api/engagements?countryGroup=${"x".repeat(65)}`, field: "countryGroup" },
      { url: () => "/api/engagements?demo=yes", field: "demo" },
      { url: () => "/api/engagements?country=%27%3B--", field: "country" },
    ],
  },
  {
    route: "GET /api/engagements/counts",
    cases: [
      { url: () => "/api/engagements/counts?by=colour", field: "by" },
      { url: () => "/api/engagements/counts?from=2022-01-01&to=2021-01-01", field: "to" },
      { url: () => "/api/engagements/counts?region=Africa", field: "region" },
      { url: () => "/api/engagements/counts?partnerStatus=ruling", field: "partnerStatus" },
      { url: () => "/api/engagements/counts?topicId=0", field: "topicId" },
      { url: () => "/api/engagements/counts?partnerKind=pirate", field: "partnerKind" },
      { url: () => "/api/engagements/counts?password=x", field: "querystring" },
    ],
  },
  {
    route: "GET /api/engagements/:id",
    cases: [
      { url: () => "/api/engagements/abc", field: "id" },
      { url: () => "/api/engagements/424242", status: 404 },
    ],
  },
  {
    route: "POST /api/engagements",
    cases: [
      { url: () => "/api/engagements", body: {}, field: "type" },
      {
        url: () => "/api/engagements",
        body: () => ({ type: "talks", direction: "none", titleZh: "会谈", startDate: "2020-01-01", leadUnitId: unitId, partOfId: 424242 }),
        field: "partOfId",
      },
      {
        url: () => "/api/engagements",
        body: () => ({ type: "talks", direction: "none", startDate: "2020-01-01", leadUnitId: unitId }),
        field: "titleZh",
      },
      {
        url: () => "/api/engagements",
        body: () => ({ type: "visit", direction: "hosted", titleEn: "x", startDate: "2020-01-01", leadUnitId: unitId }),
        field: "direction",
      },
      {
        url: () => "/api/engagements",
        body: () => ({ type: "visit", direction: "sent", titleEn: "x", startDate: "2020-02-30", leadUnitId: unitId }),
        field: "startDate",
      },
      {
        url: () => "/api/engagements",
        body: () => ({ type: "visit", direction: "sent", titleEn: "x", startDate: "2020-01-01", leadUnitId: 424242 }),
        field: "leadUnitId",
      },
      {
        url: () => "/api/engagements",
        body: () => ({
          type: "event",
          direction: "hosted",
          subtype: "forum",
          titleEn: "x",
          startDate: "2020-01-01",
          leadUnitId: unitId,
          details: { edition: -3 },
        }),
        field: "details.edition",
      },
      {
        url: () => "/api/engagements",
        body: () => ({
          type: "visit",
          direction: "sent",
          titleEn: "x",
          startDate: "2020-01-01",
          leadUnitId: unitId,
          participants: [{ organisationId: 424242, role: "host" }],
        }),
        field: "participants",
      },
      {
        url: () => "/api/engagements",
        body: () => ({
          type: "visit",
          direction: "sent",
          titleEn: "x",
          startDate: "2020-01-01",
          leadUnitId: unitId,
          participants: [{ organisationId: orgId, role: "emperor" }],
        }),
        field: "participants.0.role",
      },
    ],
  },
  {
    route: "PATCH /api/engagements/:id",
    cases: [
      { url: () => `/api/engagements/${engagementId}`, body: {}, field: "(root)" },
      { url: () => `/api/engagements/${engagementId}`, body: { direction: "hosted" }, field: "direction" },
      { url: () => `/api/engagements/${engagementId}`, body: { endDate: "2000-01-01" }, field: "endDate" },
      { url: () => `/api/engagements/${engagementId}`, body: () => ({ inReplyToId: engagementId }), field: "inReplyToId" },
      { url: () => "/api/engagements/424242", body: { titleEn: "x" }, status: 404 },
      // Mass assignment: what the server sets is refused from the client.
      { url: () => `/api/engagements/${engagementId}`, body: { approval: "approved" }, field: "(root)" },
      { url: () => `/api/engagements/${engagementId}`, body: { createdBy: 1, demo: true }, field: "(root)" },
      { url: () => `/api/engagements/${engagementId}`, body: { type: "visit" }, field: "(root)" },
      { url: () => `/api/engagements/${engagementId}`, body: { classification: "secret" }, field: "classification" },
    ],
  },
  { route: "DELETE /api/engagements/:id", cases: [{ url: () => "/api/engagements/424242", status: 404 }] },
  {
    route: "GET /api/organisations/:id/engagements",
    cases: [
      { url: () => "/api/organisations/424242/engagements", status: 404 },
      { url: () => `/api/organisations/${orgId}/engagements?type=gala`, field: "type.0" },
    ],
  },
  {
    route: "POST /api/engagements/:id/attachments",
    cases: [
      { url: () => `/api/engagements/${engagementId}/attachments`, body: { a: 1 }, field: "fileName" },
      { url: () => `/api/engagements/${engagementId}/attachments?fileName=a.json`, body: { a: 1 }, field: "content-type" },
      { url: () => "/api/engagements/424242/attachments?fileName=a.json", body: { a: 1 } },
    ],
  },
  {
    route: "GET /api/engagements/:id/attachments/:attachmentId",
    cases: [
      { url: () => `/api/engagements/${engagementId}/attachments/424242`, status: 404 },
      { url: () => `/api/engagements/${engagementId}/attachments/x`, field: "attachmentId" },
    ],
  },
  {
    route: "DELETE /api/engagements/:id/attachments/:attachmentId",
    cases: [{ url: () => `/api/engagements/${engagementId}/attachments/424242`, status: 404 }],
  },
  {
    route: "GET /api/organisations/:id/notes",
    cases: [
      { url: () => "/api/organisations/424242/notes", status: 404 },
      { url: () => "/api/organisations/x/notes", field: "id" },
    ],
  },
  {
    route: "POST /api/organisations/:id/notes",
    cases: [
      { url: () => `/api/organisations/${orgId}/notes`, body: {}, field: "body" },
      { url: () => `/api/organisations/${orgId}/notes`, body: { body: "  " }, field: "body" },
      { url: () => `/api/organisations/${orgId}/notes`, body: { body: "x", classification: "secret" }, field: "classification" },
      { url: () => `/api/organisations/${orgId}/notes`, body: { body: "x", createdBy: 1 }, status: 400 },
      { url: () => `/api/organisations/${orgId}/notes`, body: { body: "x", unitId: 424242 }, field: "unitId" },
      { url: () => "/api/organisations/424242/notes", body: { body: "x" }, status: 404 },
    ],
  },
  { route: "GET /api/people/:id/notes", cases: [{ url: () => "/api/people/424242/notes", status: 404 }] },
  {
    route: "POST /api/people/:id/notes",
    cases: [
      { url: () => `/api/people/${personId}/notes`, body: { body: 5 }, field: "body" },
      { url: () => "/api/people/424242/notes", body: { body: "x" }, status: 404 },
    ],
  },
  { route: "GET /api/notes/:id", cases: [{ url: () => "/api/notes/424242", status: 404 }] },
  {
    route: "PATCH /api/notes/:id",
    cases: [
      { url: () => `/api/notes/${noteId}`, body: { body: "" }, field: "body" },
      { url: () => `/api/notes/${noteId}`, body: { unitId: 2 }, status: 400 },
      { url: () => "/api/notes/424242", body: { body: "x" }, status: 404 },
    ],
  },
  { route: "DELETE /api/notes/:id", cases: [{ url: () => "/api/notes/424242", status: 404 }] },
  { route: "GET /api/notes/:id/shares", cases: [{ url: () => "/api/notes/424242/shares", status: 404 }] },
  {
    route: "POST /api/notes/:id/shares",
    cases: [
      { url: () => `/api/notes/${noteId}/shares`, body: {}, field: "unitId" },
      { url: () => `/api/notes/${noteId}/shares`, body: { unitId: 424242 }, field: "unitId" },
      { url: () => "/api/notes/424242/shares", body: { unitId: 1 }, status: 404 },
    ],
  },
  {
    route: "DELETE /api/notes/:id/shares/:unitId",
    cases: [
      { url: () => `/api/notes/${noteId}/shares/424242`, field: "unitId" },
      { url: () => `/api/notes/${noteId}/shares/x`, field: "unitId" },
    ],
  },
  {
    route: "GET /api/partners/dormant",
    cases: [
      { url: () => "/api/partners/dormant?days=0", field: "days" },
      { url: () => "/api/partners/dormant?limit=x", field: "limit" },
      { url: () => "/api/partners/dormant?since=2020", status: 400 },
    ],
  },
  {
    route: "GET /api/network",
    cases: [
      { url: () => "/api/network?limit=5", field: "limit" },
      { url: () => "/api/network?region=africa", field: "region" },
      { url: () => "/api/network?from=2021-02-31", field: "from" },
    ],
  },
  {
    route: "GET /api/partners/health",
    cases: [
      { url: () => "/api/partners/health?limit=0", field: "limit" },
      { url: () => "/api/partners/health?attention=maybe", field: "attention" },
      { url: () => "/api/partners/health?unitId=x", field: "unitId" },
      { url: () => "/api/partners/health?on=tomorrow", field: "on" },
      { url: () => "/api/partners/health?on=2026-02-30", field: "on" },
    ],
  },
  {
    route: "GET /api/engagements/export",
    cases: [
      { url: () => "/api/engagements/export?type=gala", field: "type.0" },
      { url: () => "/api/engagements/export?from=2021-02-30", field: "from" },
    ],
  },
  { route: "GET /api/engagements/:id/shares", cases: [{ url: () => "/api/engagements/424242/shares", status: 404 }] },
  {
    route: "POST /api/engagements/:id/shares",
    cases: [
      { url: () => `/api/engagements/${engagementId}/shares`, body: { unitId: "b" }, field: "unitId" },
      { url: () => "/api/engagements/424242/shares", body: { unitId: 1 }, status: 404 },
    ],
  },
  {
    route: "DELETE /api/engagements/:id/shares/:unitId",
    cases: [{ url: () => `/api/engagements/${engagementId}/shares/424242`, field: "unitId" }],
  },
  {
    route: "GET /api/organisations/:id/memberships",
    cases: [
      { url: () => "/api/organisations/424242/memberships", status: 404 },
      { url: () => "/api/organisations/0/memberships", field: "id" },
    ],
  },
  {
    route: "GET /api/reports/overview",
    cases: [
      { url: () => "/api/reports/overview", field: "from" },
      { url: () => "/api/reports/overview?from=2021-01-01&to=2020-01-01", field: "to" },
      { url: () => "/api/reports/overview?from=2021-01-01&to=2021-12-31&mode=rough", field: "mode" },
      { url: () => "/api/reports/overview?from=2021-01-01&to=2021-12-31&topicId=green", field: "topicId" },
      { url: () => "/api/reports/overview?from=2021-01-01&to=2021-12-31&nearlyMargin=0.9", field: "nearlyMargin" },
      { url: () => "/api/reports/overview?from=2021-01-01&to=2021-12-31&partnerKind=club", field: "partnerKind" },
      { url: () => `/api/reports/overview?from=2021-01-01&to=2021-12-31&leadInZh=${"长".repeat(101)}`, field: "leadInZh" },
    ],
  },
  {
    route: "GET /api/reports/overview/export",
    cases: [
      { url: () => "/api/reports/overview/export?from=2021-01-01&to=2021-12-31", field: "format" },
      { url: () => "/api/reports/overview/export?from=2021-01-01&to=2021-12-31&format=pdf", field: "format" },
    ],
  },
  { route: "GET /api/reports/templates", cases: [] },
  {
    route: "PUT /api/reports/templates/:key",
    cases: [
      { url: () => "/api/reports/templates/talks", body: { zh: "{meetings}次", en: "x" }, field: "zh" },
      { url: () => "/api/reports/templates/talks", body: { zh: "x" }, field: "en" },
      { url: () => "/api/reports/templates/nothing", body: { zh: "x", en: "x" }, status: 404 },
      { url: () => "/api/reports/templates/Not-A-Key", body: { zh: "x", en: "x" }, field: "key" },
      { url: () => "/api/reports/templates/talks", body: { zh: "x", en: "x", filter: { type: "event" } }, field: "filter" },
      {
        url: () => "/api/reports/templates/talks",
        body: { zh: "x", en: "x", one: { zh: "{partner}", en: "{partners:roughly}" } },
        field: "one.en",
      },
      {
        url: () => "/api/reports/templates/talks",
        body: { zh: "x", en: "x", phrases: { purpose: { zh: "为了" } } },
        field: "phrases.purpose.en",
      },
    ],
  },
  {
    route: "POST /api/reports/templates",
    cases: [
      { url: () => "/api/reports/templates", body: { key: "x1", label: { zh: "甲", en: "A" }, zh: "x", en: "x" }, field: "filter" },
      {
        url: () => "/api/reports/templates",
        body: { key: "x1", label: { zh: "甲", en: "A" }, filter: { type: "visit", programmeId: "abc" }, zh: "x", en: "x" },
        field: "filter.programmeId",
      },
      {
        url: () => "/api/reports/templates",
        body: { key: "talks", label: { zh: "甲", en: "A" }, filter: { type: "visit" }, zh: "x", en: "x" },
        status: 409,
      },
      {
        url: () => "/api/reports/templates",
        body: { key: "x1", label: { zh: "甲", en: "A" }, filter: { type: "visit" }, zh: "{partner}", en: "x" },
        field: "zh",
      },
    ],
  },
  {
    route: "DELETE /api/reports/templates/:key",
    cases: [
      { url: () => "/api/reports/templates/nothing", status: 404 },
      { url: () => "/api/reports/templates/Bad Key", field: "key" },
    ],
  },
  {
    route: "POST /api/imports/files",
    cases: [
      { url: () => "/api/imports/files", body: "name\nX\n", field: "fileName" },
      { url: () => "/api/imports/files?fileName=empty.csv", body: Buffer.alloc(0), field: "file" },
      { url: () => "/api/imports/files?fileName=x.bin", body: Buffer.from([0, 1, 2, 3, 0, 0, 9, 255]), field: "file" },
      { url: () => "/api/imports/files?fileName=x.csv&encoding=ebcdic", body: "name\nX\n", field: "encoding" },
      { url: () => "/api/imports/files?fileName=x.csv&kind=contacts", body: "name\nX\n", field: "kind" },
      {
        url: () => "/api/imports/files?fileName=old.xls",
        body: Buffer.concat([Buffer.from("d0cf11e0a1b11ae1", "hex"), Buffer.alloc(600, 7)]),
        field: "file",
      },
      { url: () => "/api/imports/files?fileName=cut.xlsx", body: Buffer.from("PK\u0003\u0004 cut short"), field: "file" },
    ],
  },
  {
    route: "POST /api/imports/inspect",
    cases: [
      { url: () => "/api/imports/inspect", body: { fileId: "x", fileName: "a.csv" }, field: "fileId" },
      { url: () => "/api/imports/inspect", body: { fileId: "0".repeat(64), fileName: "a.csv" }, status: 404 },
    ],
  },
  {
    route: "POST /api/imports/preview",
    cases: [
      { url: () => "/api/imports/preview", body: { fileId: "0".repeat(64) }, field: "fileName" },
      { url: () => "/api/imports/preview", body: { fileId: "0".repeat(64), fileName: "a.csv", columns: ["bogus"] }, field: "columns.0" },
      {
        url: () => "/api/imports/preview",
        body: { fileId: "0".repeat(64), fileName: "a.csv", choices: { "2": "maybe" } },
        field: "choices.2",
      },
      { url: () => "/api/imports/preview", body: { fileId: "0".repeat(64), fileName: "a.csv" }, status: 404 },
    ],
  },
  {
    route: "POST /api/imports/preview/spreadsheet",
    cases: [{ url: () => "/api/imports/preview/spreadsheet", body: { fileId: "nope", fileName: "a.csv" }, field: "fileId" }],
  },
  {
    route: "POST /api/imports",
    cases: [
      { url: () => "/api/imports", body: { fileId: "0".repeat(64) }, field: "fileName" },
      {
        url: () => "/api/imports",
        body: { fileId: "0".repeat(64), fileName: "a.csv", defaults: { kind: "club" } },
        field: "defaults.kind",
      },
      {
        url: () => "/api/imports",
        body: { fileId: "0".repeat(64), fileName: "a.csv", kind: "engagements", defaults: { engagementKind: "picnic:received" } },
        field: "defaults.engagementKind",
      },
      { url: () => "/api/imports", body: { fileId: "0".repeat(64), fileName: "a.csv" }, status: 404 },
    ],
  },
  { route: "GET /api/imports", cases: [] },
  { route: "GET /api/imports/mappings", cases: [] },
  {
    route: "PUT /api/imports/mappings/:name",
    cases: [
      { url: () => "/api/imports/mappings/m1", body: { columns: ["bogus"] }, field: "columns.0" },
      { url: () => "/api/imports/mappings/m1", body: { columns: [] }, field: "columns" },
    ],
  },
  {
    route: "GET /api/imports/:id",
    cases: [
      { url: () => "/api/imports/424242", status: 404 },
      { url: () => "/api/imports/x", field: "id" },
    ],
  },
  { route: "POST /api/imports/:id/undo", cases: [{ url: () => "/api/imports/424242/undo", status: 404 }] },
  { route: "GET /api/reports/snapshots", cases: [] },
  {
    route: "POST /api/reports/snapshots",
    cases: [
      { url: () => "/api/reports/snapshots", body: { params: { from: "2021-01-01", to: "2021-12-31" } }, field: "title" },
      { url: () => "/api/reports/snapshots", body: { title: "x", params: { from: "2021-13-01", to: "2021-12-31" } }, field: "from" },
    ],
  },
  { route: "GET /api/reports/snapshots/:id", cases: [{ url: () => "/api/reports/snapshots/424242", status: 404 }] },
  { route: "GET /api/programmes", cases: [] },
  { route: "GET /api/programmes/:id", cases: [{ url: () => "/api/programmes/424242", status: 404 }] },
  {
    route: "POST /api/programmes",
    cases: [
      { url: () => "/api/programmes", body: {}, field: "nameEn" },
      { url: () => "/api/programmes", body: () => ({ nameEn: "x", nameZh: "x", leadUnitId: 424242 }), field: "leadUnitId" },
      {
        url: () => "/api/programmes",
        body: () => ({ nameEn: "x", nameZh: "x", leadUnitId: unitId, startDate: "2020-01-01", endDate: "2019-01-01" }),
        field: "endDate",
      },
    ],
  },
  {
    route: "PATCH /api/programmes/:id",
    cases: [
      { url: () => `/api/programmes/${programmeId}`, body: {}, field: "(root)" },
      { url: () => `/api/programmes/${programmeId}`, body: { targets: { events: "many" } }, field: "targets.events" },
      { url: () => "/api/programmes/424242", body: { nameEn: "x" }, status: 404 },
    ],
  },
  {
    route: "DELETE /api/programmes/:id",
    cases: [
      { url: () => "/api/programmes/424242", status: 404 },
      { url: () => `/api/programmes/${programmeId}`, status: 409 },
    ],
  },
  { route: "GET /api/mechanisms", cases: [] },
  { route: "GET /api/mechanisms/:id", cases: [{ url: () => "/api/mechanisms/424242", status: 404 }] },
  {
    route: "GET /api/mechanisms/:id/members",
    cases: [
      { url: () => `/api/mechanisms/${mechanismId}/members?on=soon`, field: "on" },
      { url: () => "/api/mechanisms/424242/members", status: 404 },
    ],
  },
  {
    route: "POST /api/mechanisms",
    cases: [
      { url: () => "/api/mechanisms", body: { kind: "club" }, field: "kind" },
      { url: () => "/api/mechanisms", body: { kind: "network", nameEn: "x", nameZh: "x", leadUnitId: 424242 }, field: "leadUnitId" },
    ],
  },
  {
    route: "PATCH /api/mechanisms/:id",
    cases: [
      { url: () => `/api/mechanisms/${mechanismId}`, body: {}, field: "(root)" },
      { url: () => "/api/mechanisms/424242", body: { nameEn: "x" }, status: 404 },
    ],
  },
  { route: "DELETE /api/mechanisms/:id", cases: [{ url: () => "/api/mechanisms/424242", status: 404 }] },
  {
    route: "POST /api/mechanisms/:id/members",
    cases: [
      {
        url: () => `/api/mechanisms/${mechanismId}/members`,
        body: { organisationId: 424242, joinedOn: "2020-01-01" },
        field: "organisationId",
      },
      {
        url: () => `/api/mechanisms/${mechanismId}/members`,
        body: () => ({ organisationId: orgId, joinedOn: "2020-01-01", leftOn: "2019-01-01" }),
        field: "leftOn",
      },
    ],
  },
  {
    route: "PATCH /api/mechanisms/:id/members/:memberId",
    cases: [
      { url: () => `/api/mechanisms/${mechanismId}/members/424242`, body: { leftOn: "2020-01-01" }, status: 404 },
      { url: () => `/api/mechanisms/${mechanismId}/members/1`, body: {}, field: "(root)" },
    ],
  },
  {
    route: "DELETE /api/mechanisms/:id/members/:memberId",
    cases: [{ url: () => `/api/mechanisms/${mechanismId}/members/424242`, status: 404 }],
  },
  {
    route: "POST /api/mechanisms/:id/chairs",
    cases: [
      {
        url: () => `/api/mechanisms/${mechanismId}/chairs`,
        body: () => ({ organisationId: otherOrgId, startDate: "2020-01-01" }),
        field: "organisationId",
      },
      { url: () => `/api/mechanisms/${mechanismId}/chairs`, body: { organisationId: 1 }, field: "startDate" },
    ],
  },
  {
    route: "DELETE /api/mechanisms/:id/chairs/:chairId",
    cases: [{ url: () => `/api/mechanisms/${mechanismId}/chairs/424242`, status: 404 }],
  },
  {
    route: "POST /api/auth/login",
    cases: [
      { url: () => "/api/auth/login", body: {}, field: "username" },
      { url: () => "/api/auth/login", body: { username: "admin", password: "" }, field: "password" },
      { url: () => "/api/auth/login", body: { username: "nobody-here", password: "wrong password" }, status: 401 },
    ],
  },
  { route: "GET /api/auth/session", cases: [{ url: () => "/api/auth/session", status: 401 }] },
  { route: "POST /api/auth/logout", cases: [] },
  {
    route: "POST /api/auth/password",
    cases: [
      { url: () => "/api/auth/password", body: {}, field: "currentPassword" },
      { url: () => "/api/auth/password", body: { currentPassword: "x", newPassword: "y", extra: 1 }, field: "(root)" },
    ],
  },
  {
    route: "POST /api/users/:id/password",
    cases: [
      { url: () => `/api/users/${userId}/password`, body: { password: "short" }, field: "password" },
      { url: () => `/api/users/${userId}/password`, body: { password: "password123" }, field: "password" },
      { url: () => "/api/users/424242/password", body: { password: "a long enough passphrase" }, status: 404 },
    ],
  },
  { route: "GET /api/auth/preferences", cases: [] },
  {
    route: "PUT /api/auth/preferences",
    cases: [
      { url: () => "/api/auth/preferences", body: { locale: "fr" }, field: "locale" },
      { url: () => "/api/auth/preferences", body: {}, field: "locale" },
      { url: () => "/api/auth/preferences", body: { locale: "en", userId: 1 }, status: 400 },
      { url: () => "/api/auth/preferences", body: { email: "not an address" }, field: "email" },
      { url: () => "/api/auth/preferences", body: { emailNotifications: "yes" }, field: "emailNotifications" },
    ],
  },
  { route: "GET /api/auth/tokens", cases: [] },
  {
    route: "POST /api/auth/tokens",
    cases: [
      { url: () => "/api/auth/tokens", body: {}, field: "name" },
      { url: () => "/api/auth/tokens", body: { name: "x", unitId: 424242, role: "viewer" }, field: "unitId" },
      { url: () => "/api/auth/tokens", body: () => ({ name: "x", unitId: unitId, role: "emperor" }), field: "role" },
    ],
  },
  { route: "DELETE /api/auth/tokens/:id", cases: [{ url: () => "/api/auth/tokens/424242", status: 404 }] },
  { route: "GET /api/calendar/feeds", cases: [] },
  {
    route: "POST /api/calendar/feeds",
    cases: [
      { url: () => "/api/calendar/feeds", body: { locale: "fr" }, field: "locale" },
      { url: () => "/api/calendar/feeds", body: { unitId: 424242 }, field: "unitId" },
      { url: () => "/api/calendar/feeds", body: { unitId: "x" }, field: "unitId" },
      { url: () => "/api/calendar/feeds", body: { secret: "mine" }, status: 400 },
    ],
  },
  {
    route: "DELETE /api/calendar/feeds/:id",
    cases: [
      { url: () => "/api/calendar/feeds/424242", status: 404 },
      { url: () => "/api/calendar/feeds/x", field: "id" },
    ],
  },
  { route: "GET /api/auth/sessions", cases: [] },
  {
    route: "GET /api/names/suggestions",
    cases: [
      { url: () => "/api/names/suggestions?minConfidence=2", field: "minConfidence" },
      { url: () => "/api/names/suggestions?status=maybe", field: "status" },
      { url: () => "/api/names/suggestions?region=asia", field: "region" },
    ],
  },
  { route: "GET /api/names/suggestions/export", cases: [{ url: () => "/api/names/suggestions/export?level=close", field: "level" }] },
  {
    route: "POST /api/organisations/:id/name-suggestion/accept",
    cases: [
      { url: () => "/api/organisations/424242/name-suggestion/accept", body: {}, status: 404 },
      { url: () => `/api/organisations/${orgId}/name-suggestion/accept`, body: { zh: "Not Chinese" }, field: "zh" },
      { url: () => `/api/organisations/${orgId}/name-suggestion/accept`, body: { zh: "名", extra: 1 }, field: "(root)" },
    ],
  },
  {
    route: "POST /api/organisations/:id/name-suggestion/reject",
    cases: [{ url: () => "/api/organisations/424242/name-suggestion/reject", body: {}, status: 404 }],
  },
  { route: "POST /api/names/suggest", cases: [{ url: () => "/api/names/suggest", body: { applyAbove: 3 }, field: "applyAbove" }] },
  { route: "GET /api/names/settings", cases: [] },
  {
    route: "PUT /api/names/settings",
    cases: [{ url: () => "/api/names/settings", body: { showSuggested: "yes" }, field: "showSuggested" }],
  },
  { route: "POST /api/names/suggestions/import", cases: [] },
  { route: "GET /api/places/policy", cases: [] },
  {
    route: "PUT /api/places/policy",
    cases: [
      { url: () => "/api/places/policy", body: { ...defaultPlacePolicy, region: "province" }, field: "region" },
      { url: () => "/api/places/policy", body: { state: "country" }, field: "region" },
    ],
  },
  {
    route: "POST /api/organisations/resolve",
    cases: [
      { url: () => "/api/organisations/resolve", body: { lines: [] }, field: "lines" },
      { url: () => "/api/organisations/resolve", body: { lines: ["ok", ""] }, field: "lines.1" },
      { url: () => "/api/organisations/resolve", body: { lines: ["ok"], on: "2024-02-30" }, field: "on" },
      { url: () => "/api/organisations/resolve", body: { lines: Array.from({ length: 501 }, () => "x") }, field: "lines" },
    ],
  },
  {
    route: "GET /api/organisations/:id/history",
    cases: [
      { url: () => "/api/organisations/424242/history", status: 404 },
      { url: () => "/api/organisations/x/history", field: "id" },
      { url: () => `/api/organisations/${orgId}/history?pageSize=0`, field: "pageSize" },
    ],
  },
  { route: "GET /api/people/:id/history", cases: [{ url: () => "/api/people/424242/history", status: 404 }] },
  {
    route: "GET /api/duplicates/:kind",
    cases: [
      { url: () => "/api/duplicates/units", field: "kind" },
      { url: () => "/api/duplicates/organisations?minScore=2", field: "minScore" },
      { url: () => "/api/duplicates/people?country=!!", field: "country" },
    ],
  },
  {
    route: "POST /api/duplicates/:kind/dismiss",
    cases: [
      { url: () => "/api/duplicates/organisations/dismiss", body: { aId: 1 }, field: "bId" },
      { url: () => "/api/duplicates/organisations/dismiss", body: () => ({ aId: orgId, bId: orgId }), status: 400 },
      { url: () => "/api/duplicates/organisations/dismiss", body: () => ({ aId: orgId, bId: 424242 }), status: 404 },
    ],
  },
  {
    route: "POST /api/organisations/merge",
    cases: [
      { url: () => "/api/organisations/merge", body: {}, field: "survivorId" },
      { url: () => "/api/organisations/merge", body: () => ({ survivorId: orgId, mergedId: orgId }), field: "mergedId" },
      { url: () => "/api/organisations/merge", body: () => ({ survivorId: orgId, mergedId: 424242 }), status: 404 },
      {
        url: () => "/api/organisations/merge",
        body: () => ({ survivorId: orgId, mergedId: 1, choose: { kind: "both" } }),
        field: "choose.kind",
      },
      {
        url: () => "/api/organisations/merge",
        body: () => ({ survivorId: orgId, mergedId: 1, choose: { colour: "merged" } }),
        status: 400,
      },
    ],
  },
  {
    route: "POST /api/people/merge",
    cases: [
      { url: () => "/api/people/merge", body: () => ({ survivorId: personId, mergedId: "x" }), field: "mergedId" },
      { url: () => "/api/people/merge", body: () => ({ survivorId: personId, mergedId: 424242 }), status: 404 },
    ],
  },
  { route: "DELETE /api/auth/sessions/:id", cases: [{ url: () => "/api/auth/sessions/424242", status: 404 }] },
  { route: "DELETE /api/auth/sessions", cases: [] },
  {
    route: "POST /api/engagements/:id/submit",
    cases: [
      { url: () => "/api/engagements/424242/submit", body: {}, status: 404 },
      { url: () => `/api/engagements/${engagementId}/submit`, body: {}, status: 409 },
      { url: () => `/api/engagements/${engagementId}/submit`, body: { note: 5 }, field: "note" },
    ],
  },
  {
    route: "POST /api/engagements/:id/approve",
    cases: [
      { url: () => "/api/engagements/x/approve", body: {}, field: "id" },
      { url: () => `/api/engagements/${engagementId}/approve`, body: {}, status: 409 },
    ],
  },
  {
    route: "POST /api/engagements/:id/return",
    cases: [{ url: () => `/api/engagements/${engagementId}/return`, body: {}, field: "note" }],
  },
  {
    route: "POST /api/engagements/:id/report",
    cases: [
      { url: () => `/api/engagements/${engagementId}/report`, body: {}, field: "note" },
      { url: () => `/api/engagements/${engagementId}/report`, body: { note: "done" }, status: 409 },
    ],
  },
  {
    route: "GET /api/approvals",
    cases: [
      { url: () => "/api/approvals?state=pending", field: "state" },
      { url: () => "/api/approvals?page=0", field: "page" },
    ],
  },
  {
    route: "POST /api/engagements/:id/cancel",
    cases: [
      { url: () => `/api/engagements/${engagementId}/cancel`, body: {}, field: "reason" },
      { url: () => `/api/engagements/${engagementId}/cancel`, body: { reason: "x", extra: 1 }, status: 400 },
      { url: () => "/api/engagements/424242/cancel", body: { reason: "x" }, status: 404 },
      { url: () => `/api/engagements/${engagementId}/cancel`, body: { reason: "Already done" }, status: 409 },
    ],
  },
  {
    route: "GET /api/briefings/docx",
    cases: [
      { url: () => "/api/briefings/docx", field: "organisationId" },
      { url: () => `/api/briefings/docx?organisationId=${orgId}&engagementId=${engagementId}`, field: "organisationId" },
      { url: () => "/api/briefings/docx?organisationId=x", field: "organisationId" },
      { url: () => "/api/briefings/docx?engagementId=424242", status: 404 },
    ],
  },
  {
    route: "GET /api/alerts/preview",
    cases: [
      { url: () => "/api/alerts/preview", field: "organisationIds" },
      { url: () => `/api/alerts/preview?organisationIds=x&startDate=2027-01-01&leadUnitId=${unitId}`, field: "organisationIds.0" },
      { url: () => `/api/alerts/preview?organisationIds=${orgId}&startDate=2027-02-30&leadUnitId=${unitId}`, field: "startDate" },
      { url: () => `/api/alerts/preview?organisationIds=${orgId}&startDate=2027-01-01&leadUnitId=424242`, field: "leadUnitId" },
    ],
  },
  {
    route: "GET /api/engagements/:id/clashes",
    cases: [
      { url: () => "/api/engagements/x/clashes", field: "id" },
      { url: () => "/api/engagements/424242/clashes", status: 404 },
    ],
  },
  {
    route: "GET /api/tasks",
    cases: [
      { url: () => "/api/tasks?status=late", field: "status" },
      { url: () => "/api/tasks?limit=0", field: "limit" },
      { url: () => "/api/tasks?engagementId=x", field: "engagementId" },
    ],
  },
  {
    route: "POST /api/tasks",
    cases: [
      { url: () => "/api/tasks", body: { title: "Nothing to attach to" }, field: "engagementId" },
      { url: () => "/api/tasks", body: () => ({ engagementId, title: "" }), field: "title" },
      { url: () => "/api/tasks", body: () => ({ engagementId, title: "x", dueDate: "tomorrow" }), field: "dueDate" },
      { url: () => "/api/tasks", body: () => ({ engagementId, title: "x", ownerId: 424242 }), field: "ownerId" },
      { url: () => "/api/tasks", body: () => ({ organisationId: 424242, title: "x" }), status: 404 },
      { url: () => "/api/tasks", body: () => ({ organisationId: orgId, unitId: 424242, title: "x" }), field: "unitId" },
    ],
  },
  {
    route: "GET /api/gifts",
    cases: [
      { url: () => "/api/gifts?given=maybe", field: "given" },
      { url: () => "/api/gifts?from=2024-13-01", field: "from" },
      { url: () => "/api/gifts?limit=0", field: "limit" },
    ],
  },
  {
    route: "GET /api/gifts/xlsx",
    cases: [
      { url: () => "/api/gifts/xlsx?locale=fr", field: "locale" },
      { url: () => "/api/gifts/xlsx?to=tomorrow", field: "to" },
    ],
  },
  {
    route: "POST /api/gifts",
    cases: [
      { url: () => "/api/gifts", body: { given: true, description: "x" }, field: "engagementId" },
      { url: () => "/api/gifts", body: () => ({ engagementId, given: true, description: " " }), field: "description" },
      {
        url: () => "/api/gifts",
        body: () => ({ engagementId, given: true, description: "x", valueBand: "priceless" }),
        field: "valueBand",
      },
      { url: () => "/api/gifts", body: () => ({ engagementId: 424242, given: true, description: "x" }), status: 404 },
    ],
  },
  {
    route: "PATCH /api/gifts/:id",
    cases: [
      { url: () => "/api/gifts/424242", body: { note: "x" }, status: 404 },
      { url: () => "/api/gifts/x", body: { note: "x" }, field: "id" },
      { url: () => "/api/gifts/424242", body: {}, status: 400 },
    ],
  },
  {
    route: "DELETE /api/gifts/:id",
    cases: [{ url: () => "/api/gifts/424242", status: 404 }],
  },
  {
    route: "GET /api/tasks/assignees",
    cases: [
      { url: () => "/api/tasks/assignees?engagementId=424242", status: 404 },
      { url: () => "/api/tasks/assignees?unitId=x", field: "unitId" },
    ],
  },
  {
    route: "PATCH /api/tasks/:id",
    cases: [
      { url: () => "/api/tasks/424242", body: { status: "done" }, status: 404 },
      { url: () => "/api/tasks/1", body: {}, status: 400 },
      { url: () => "/api/tasks/1", body: { status: "finished" }, field: "status" },
    ],
  },
  {
    route: "DELETE /api/tasks/:id",
    cases: [
      { url: () => "/api/tasks/424242", status: 404 },
      { url: () => "/api/tasks/x", field: "id" },
    ],
  },
  {
    route: "GET /api/alerts",
    cases: [
      { url: () => "/api/alerts?windowDays=0", field: "windowDays" },
      { url: () => "/api/alerts?windowDays=soon", field: "windowDays" },
    ],
  },
  {
    route: "GET /api/notifications",
    cases: [
      { url: () => "/api/notifications?unread=maybe", field: "unread" },
      { url: () => "/api/notifications?pageSize=0", field: "pageSize" },
    ],
  },
  { route: "POST /api/notifications/:id/read", cases: [{ url: () => "/api/notifications/424242/read", status: 404 }] },
  { route: "POST /api/notifications/read", cases: [] },
  { route: "GET /api/export", cases: [] },
  { route: "GET /api/backup", cases: [] },
  {
    route: "GET /api/audit/export",
    cases: [
      { url: () => "/api/audit/export?actorId=x", field: "actorId" },
      { url: () => "/api/audit/export?from=yesterday", field: "from" },
    ],
  },
];

/** A route's URL with its path parameters filled by `value` (or a real id where none is given). */
function urlOf(route: string, value?: string): string {
  const url = route.split(" ")[1] as string;
  return url.replace(/:(\w+)/g, (_m, name: string) => value ?? (name === "code" ? "KEN" : name === "key" ? "talks" : "1"));
}

describe("ill-formed text on every route", () => {
  // Text PostgreSQL cannot store (NUL), and text that is not Unicode (an unpaired surrogate in
  // JSON, malformed UTF-8 in a URL or a body): each gets a 400 naming where it was, never a 500.
  const nul = "a\u0000b";
  const surrogate = "a\ud800b";
  it("is refused with a 400 in every body, query and path a route checks, and nothing is written", async () => {
    const before = (await call("GET", "/api/audit?pageSize=1")).json().total;
    let checked = 0;
    for (const route of app.apiRoutes) {
      const name = `${route.method} ${route.url}`;
      const attempts: Array<{ url: string; body?: unknown; raw?: Buffer }> = [];
      if (route.validates.params) {
        attempts.push({ url: urlOf(name, "%00") }, { url: urlOf(name, "%ED%A0%80") });
      }
      if (route.validates.query) {
        attempts.push({ url: `${urlOf(name)}?q=${encodeURIComponent(nul)}` }, { url: `${urlOf(name)}?q=%ED%A0%80` });
      }
      if (route.validates.body && route.method !== "GET") {
        attempts.push({ url: urlOf(name), body: { name: nul, value: nul } }, { url: urlOf(name), body: { name: surrogate } });
        attempts.push({ url: urlOf(name), raw: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]) });
      }
      for (const attempt of attempts) {
        const response = attempt.raw
          ? await app.inject({
              method: route.method as Method,
              url: attempt.url,
              payload: attempt.raw,
              headers: { "content-type": "application/json" },
            })
          : await call(route.method as Method, attempt.url, attempt.body);
        const label = `${name} ${attempt.url} ${attempt.body ? JSON.stringify(attempt.body) : attempt.raw ? "(malformed UTF-8)" : ""}`;
        expect(response.statusCode, `${label} → ${response.body}`).toBe(400);
        expect(response.json().message, label).toEqual(expect.any(String));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(200);
    // Refused before any service ran: not one row more in the audit (which records every change).
    expect((await call("GET", "/api/audit?pageSize=1")).json().total).toBe(before);
  });

  it("names the field that holds it", async () => {
    const response = await call("POST", "/api/organisations", {
      kind: "movement",
      names: [{ kind: "official", lang: "en", value: nul }],
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().details.fields[0].path).toBe("names.0.value");
    const login = await call("POST", "/api/auth/login", { username: nul, password: "x" });
    expect(login.statusCode).toBe(400);
    expect(login.json().details.fields[0].path).toBe("username");
    // A surrogate cannot be percent-encoded; the bytes it would take are malformed UTF-8.
    const query = await call("GET", "/api/organisations?q=a%ED%A0%80b");
    expect(query.statusCode).toBe(400);
    expect(query.json().details.fields[0].path).toBe("q");
  });
});

describe("bad input on every route", () => {
  it("covers every API route", () => {
    const declared = new Set(badInputs.map((b) => b.route));
    const registered = app.apiRoutes.map((r) => `${r.method} ${r.url}`);
    expect(registered.filter((r) => !declared.has(r))).toEqual([]);
    expect([...declared].filter((r) => !registered.includes(r))).toEqual([]);
  });

  it("counts for a country group no one made as none, whether named by a key or by digits past any id", async () => {
    for (const group of ["no-such-group", "99999999999", "424242"]) {
      const response = await call("GET", `/api/engagements/counts?by=type&countryGroup=${group}`);
      expect(response.statusCode, group).toBe(200);
      expect(response.json().total.engagements, group).toBe(0);
    }
  });

  for (const { route, cases } of badInputs) {
    if (cases.length === 0) continue;
    it(`${route} refuses bad input with a 4xx and a clear message, never a 500`, async () => {
      const method = route.split(" ")[0] as Method;
      for (const c of cases) {
        // Bodies that name records made in beforeAll are built when the case runs.
        const body = typeof c.body === "function" ? c.body() : c.body;
        const response = await call(method, c.url(), body);
        const label = `${method} ${c.url()} ${JSON.stringify(body)}`;
        expect(response.statusCode, label).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, label).toBeLessThan(500);
        if (c.status) expect(response.statusCode, label).toBe(c.status);
        const error = response.json();
        expect(error.message, label).toEqual(expect.any(String));
        expect(error.code, label).toEqual(expect.any(String));
        expect(response.body, label).not.toMatch(/\bat .+\.(ts|js):\d+|SELECT |INSERT |node_modules/);
        if (c.field) {
          expect(response.statusCode, label).toBe(400);
          expect(
            error.details.fields.map((f: { path: string }) => f.path),
            label,
          ).toContain(c.field);
        }
      }
    });
  }
});
