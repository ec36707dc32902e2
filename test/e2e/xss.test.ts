/**
 * The XSS sweep: markup planted in every text a user can edit (names of partners, people,
 * units, countries, programmes, mechanisms, labels and groups; titles, summaries, places,
 * notes, file names, snapshot titles, sentence templates, display names) is shown as text
 * on every screen, in both languages, with every chart hovered. The test fails on any
 * dialog, any Content-Security-Policy violation, or any element the payloads would create.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { type Browser as Chromium, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAdministratorPassword } from "../../src/core/auth/service.ts";
import { importGeography } from "../../src/core/reference/service.ts";
import type { Database } from "../../src/db/connection.ts";
import { buildApp } from "../../src/server/app.ts";
import { Browser } from "../support/browser.ts";
import { openTestDatabase } from "../support/database.ts";
import { administrator, unique } from "../support/factories.ts";

const root = path.resolve(import.meta.dirname, "../..");
const chromiumPath = process.env.LIAISON_CHROMIUM ?? "/usr/bin/chromium";
const password = "a long passphrase for the sweep";

/** Markup that runs script if it is ever parsed as HTML; every element it would create carries data-xss. */
const payload = (where: string) =>
  `${where}<img src=x data-xss=${where} onerror=alert(1)><iframe data-xss=${where} srcdoc="<script>parent.alert(2)</script>"></iframe>`;

let database: Database;
let app: FastifyInstance;
let chrome: Chromium;
let base = "";
const ids: Record<string, number> = {};

beforeAll(async () => {
  if (!fs.existsSync(chromiumPath)) throw new Error(`No Chromium at ${chromiumPath}: apt-get install chromium fonts-noto-cjk`);
  execFileSync(process.execPath, [path.join(root, "scripts/build-if-needed.mjs")], { cwd: root, stdio: "inherit" });
  database = await openTestDatabase();
  const admin = await administrator();
  await ensureAdministratorPassword(password, () => "unused");
  await importGeography(admin);
  app = await buildApp({ writeRateLimit: 100_000 });
  const api = new Browser(app);
  expect((await api.login("admin", password)).statusCode).toBe(200);
  const post = async (url: string, body: object, method: "POST" | "PUT" | "PATCH" = "POST") => {
    const response = await api.call(method, url, body);
    expect(response.statusCode, `${method} ${url} ${response.body}`).toBeLessThan(300);
    return response.json();
  };
  await post("/api/countries/KEN", { nameEn: payload("country-en"), nameZh: payload("country-zh") }, "PATCH");
  ids.unit = (
    await post("/api/units", {
      kind: "bureau",
      key: unique("x-"),
      nameEn: payload("unit-en"),
      nameZh: payload("unit-zh"),
      parentId: admin.unitId,
    })
  ).id;
  await post(`/api/users/${admin.userId}`, { displayName: payload("display-name") }, "PATCH");
  ids.org = (
    await post("/api/organisations", {
      kind: "political_party",
      countryCode: "KEN",
      names: [
        { kind: "official", lang: "en", value: payload("org-en") },
        { kind: "official", lang: "zh", value: payload("org-zh") },
        { kind: "abbreviation", lang: "en", value: payload("abbr") },
      ],
      description: payload("org-description"),
      foundedYear: 2000,
    })
  ).id;
  await post(`/api/organisations/${ids.org}/relationship`, { level: "strategic" }, "PUT");
  await post(`/api/organisations/${ids.org}/congresses`, {
    opensOn: new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10),
    nameEn: payload("congress-en"),
    nameZh: payload("congress-zh"),
  });
  ids.person = (await post("/api/people", { nameEn: payload("person-en"), nameZh: payload("person-zh"), countryCode: "KEN" })).id;
  await post(`/api/people/${ids.person}/positions`, {
    organisationId: ids.org,
    titleEn: payload("title-en"),
    titleZh: payload("title-zh"),
  });
  ids.programme = (
    await post("/api/programmes", {
      nameEn: payload("programme-en"),
      nameZh: payload("programme-zh"),
      leadUnitId: ids.unit,
      description: payload("programme-description"),
    })
  ).id;
  ids.mechanism = (
    await post("/api/mechanisms", {
      kind: "party_forum",
      nameEn: payload("mechanism-en"),
      nameZh: payload("mechanism-zh"),
      leadUnitId: ids.unit,
    })
  ).id;
  await post(`/api/mechanisms/${ids.mechanism}/members`, { organisationId: ids.org, joinedOn: "2020-01-01", note: payload("member-note") });
  ids.topic = (await post("/api/topics", { key: unique("t-"), nameEn: payload("topic-en"), nameZh: payload("topic-zh") })).id;
  await post("/api/tags", { key: unique("g-"), nameEn: payload("tag-en"), nameZh: payload("tag-zh") });
  await post("/api/country-groups", {
    key: unique("cg-"),
    nameEn: payload("group-en"),
    nameZh: payload("group-zh"),
    countryCodes: ["KEN"],
  });
  const participants = [
    { organisationId: ids.org, role: "participant", rank: payload("rank") },
    { personId: ids.person, role: "participant" },
  ];
  ids.event = (
    await post("/api/engagements", {
      type: "event",
      direction: "attended",
      subtype: "forum",
      titleEn: payload("event-en"),
      titleZh: payload("event-zh"),
      summaryEn: payload("summary-en"),
      summaryZh: payload("summary-zh"),
      city: payload("city"),
      startDate: "2024-05-10",
      leadUnitId: ids.unit,
      programmeId: ids.programme,
      mechanismId: ids.mechanism,
      topicIds: [ids.topic],
      participants,
      details: { seriesEn: payload("series-en"), seriesZh: payload("series-zh"), edition: 2 },
    })
  ).id;
  await post("/api/engagements", {
    type: "talks",
    direction: "none",
    titleEn: payload("talks-en"),
    startDate: "2024-06-01",
    leadUnitId: ids.unit,
    participants,
  });
  ids.visit = (
    await post("/api/engagements", {
      type: "visit",
      direction: "sent",
      status: "planned",
      titleEn: payload("visit-en"),
      startDate: "2027-03-01",
      endDate: "2027-03-04",
      leadUnitId: ids.unit,
      participants,
      details: { itinerary: [{ date: "2027-03-01", city: payload("itinerary-city"), description: payload("itinerary") }] },
    })
  ).id;
  await post(`/api/engagements/${ids.visit}/submit`, { note: payload("submit-note") });
  await post(`/api/organisations/${ids.org}/notes`, { body: payload("note") });
  const upload = await api.call(
    "POST",
    `/api/engagements/${ids.event}/attachments?fileName=${encodeURIComponent(payload("file"))}`,
    Buffer.from("%PDF-1.7\n"),
    {
      "content-type": "application/pdf",
    },
  );
  expect(upload.statusCode, upload.body).toBe(201);
  ids.snapshot = (
    await post("/api/reports/snapshots", { title: payload("snapshot"), params: { from: "2024-01-01", to: "2024-12-31" } })
  ).id;
  await post(
    "/api/reports/templates/talks",
    { zh: `${payload("template-zh")}会谈{engagements}次`, en: `${payload("template-en")} {engagements} talks` },
    "PUT",
  );
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  chrome = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
}, 240_000);
afterAll(async () => {
  await chrome?.close();
  await app?.close();
  await database?.close();
});

interface Findings {
  dialogs: string[];
  violations: string[];
  errors: string[];
}

async function openSweeper(locale: "en-GB" | "zh-CN"): Promise<{ page: Page; findings: Findings }> {
  const context = await chrome.newContext({ viewport: { width: 1440, height: 900 }, locale });
  // Every CSP violation in every frame of the page is recorded where the test can read it.
  await context.addInitScript(() => {
    const store = window as unknown as { __violations?: string[] };
    store.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => store.__violations?.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = await context.newPage();
  const findings: Findings = { dialogs: [], violations: [], errors: [] };
  page.on("dialog", async (dialog) => {
    findings.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  page.on("console", (message) => {
    if (/Content.Security.Policy/i.test(message.text())) findings.violations.push(message.text());
  });
  page.on("pageerror", (error) => findings.errors.push(error.message));
  await page.goto(`${base}/`);
  await page.locator("input[autocomplete=username]").fill("admin");
  await page.locator("input[autocomplete=current-password]").fill(password);
  await page.keyboard.press("Enter");
  await page.locator("[data-testid=user-menu]").waitFor();
  return { page, findings };
}

/**
 * Moves the mouse over every chart on the page so that each tooltip is drawn: over the middle
 * of every shape of a chart drawn in SVG (each country of the map, each bar), and over a fine
 * grid around the middle of a canvas (the network's nodes, which the focus gathers there).
 */
async function hoverCharts(page: Page): Promise<number> {
  const charts = page.locator("[_echarts_instance_]");
  const count = await charts.count();
  for (let i = 0; i < count; i++) {
    const chart = charts.nth(i);
    const shapes = await chart.evaluate((element) =>
      [...element.querySelectorAll("svg path, svg rect")]
        .map((shape) => shape.getBoundingClientRect())
        .filter((r) => r.width > 1 && r.height > 1 && r.width < 1000)
        .slice(0, 800)
        .map((r) => [r.x + r.width / 2, r.y + r.height / 2] as const),
    );
    for (const [x, y] of shapes) await page.mouse.move(x, y);
    if (shapes.length > 0) continue;
    const box = await chart.boundingBox();
    if (!box) continue;
    const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
    for (let y = cy - 150; y <= cy + 150; y += 6) for (let x = cx - 150; x <= cx + 150; x += 6) await page.mouse.move(x, y);
  }
  return count;
}

/** What the payloads would have made if they had been parsed as HTML anywhere in the page. */
async function injected(page: Page): Promise<{ elements: string[]; violations: string[] }> {
  return page.evaluate(() => ({
    elements: [...document.querySelectorAll("[data-xss]")].map((e) => `${e.tagName} ${e.getAttribute("data-xss")}`),
    violations: (window as unknown as { __violations?: string[] }).__violations ?? [],
  }));
}

const screens = () => [
  "/",
  "/organisations",
  `/organisations/${ids.org}`,
  "/organisations/new",
  "/people",
  `/people/${ids.person}`,
  "/countries/KEN",
  "/engagements",
  `/engagements/${ids.event}`,
  `/engagements/${ids.visit}`,
  `/engagements/${ids.event}/edit`,
  `/engagements/${ids.visit}/edit`,
  "/engagements/new",
  "/calendar?month=2027-03",
  "/calendar?month=2027-03&view=agenda",
  "/programmes",
  `/programmes/${ids.programme}`,
  `/mechanisms/${ids.mechanism}`,
  "/approvals",
  "/reports?from=2024-01-01&to=2024-12-31",
  "/reports/snapshots",
  `/reports/snapshots/${ids.snapshot}`,
  "/reports/templates",
  "/insight?from=2024-01-01&to=2024-12-31",
  "/insight?from=2024-01-01&to=2024-12-31&measure=partners",
  "/insight?from=2024-01-01&to=2024-12-31&tab=trends",
  "/insight?from=2024-01-01&to=2024-12-31&tab=health",
  `/insight?from=2024-01-01&to=2024-12-31&tab=network&focus=${ids.org}`,
];

describe("the XSS sweep", () => {
  for (const locale of ["en-GB", "zh-CN"] as const) {
    it(`shows every planted payload as text on every screen and chart (${locale})`, async () => {
      const { page, findings } = await openSweeper(locale);
      let hovered = 0;
      for (const screen of screens()) {
        await page.goto(`${base}${screen}`);
        await page.waitForLoadState("networkidle");
        // Charts draw after their data arrives.
        await page.waitForTimeout(300);
        hovered += await hoverCharts(page);
        const found = await injected(page);
        expect(found.elements, `${screen}: elements made from a payload`).toEqual([]);
        expect(found.violations, `${screen}: CSP violations`).toEqual([]);
      }
      // The global search lists names as they are typed.
      await page.locator("body").click();
      await page.keyboard.press("/");
      await page.keyboard.type("org-en");
      await page.waitForTimeout(800);
      expect((await injected(page)).elements).toEqual([]);
      expect(findings.dialogs).toEqual([]);
      expect(findings.violations).toEqual([]);
      expect(findings.errors).toEqual([]);
      // The sweep looked at something: charts were there to hover, and the payloads are on the page as text.
      expect(hovered).toBeGreaterThan(5);
      await page.goto(`${base}/organisations/${ids.org}`);
      await page.getByText("org-en<img", { exact: false }).first().waitFor();
      await page.context().close();
    }, 600_000);
  }
});
