/**
 * The web app end to end, in Debian's Chromium: a desk officer's day (an organisation, an
 * inbound visit, global search), a forum entered by pasting names, the language toggle, a
 * failing save that keeps the form, and screenshots of every screen in both languages.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import iconv from "iconv-lite";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAdministratorPassword, setUserPassword } from "../../src/core/auth/service.ts";
import { seedDemo } from "../../src/core/demo/service.ts";
import { createEngagement } from "../../src/core/engagements/service.ts";
import { createMechanism } from "../../src/core/mechanisms/service.ts";
import { existsToday } from "../../src/core/organisations/store.ts";
import { createPerson } from "../../src/core/people/service.ts";
import { importReference } from "../../src/core/reference/service.ts";
import { foldName } from "../../src/core/search/text.ts";
import type { Actor } from "../../src/core/shared/actor.ts";
import { createUnit, createUser } from "../../src/core/units/service.ts";
import type { Database } from "../../src/db/connection.ts";
import { db } from "../../src/db/current.ts";
import { buildApp } from "../../src/server/app.ts";
import { en } from "../../src/web/i18n/en.ts";
import { zh } from "../../src/web/i18n/zh.ts";
import { openTestDatabase } from "../support/database.ts";
import { administrator, registryParty } from "../support/factories.ts";
import { choose, chromiumPath, root, shoot, shots, Windows } from "../support/web.ts";

const password = "a long passphrase for the desk";

let database: Database;
let app: FastifyInstance;
let browser: Browser;
let base = "";
let admin: Actor;
let bureauId: number;
const officer = "desk.officer";

beforeAll(async () => {
  if (!fs.existsSync(chromiumPath)) throw new Error(`No Chromium at ${chromiumPath}: apt-get install chromium fonts-noto-cjk`);
  // The page the server serves is the production build.
  execFileSync(process.execPath, [path.join(root, "scripts/build-if-needed.mjs")], { cwd: root, stdio: "inherit" });
  database = await openTestDatabase();
  admin = await administrator();
  await ensureAdministratorPassword(password, () => "unused");
  await importReference(admin);
  await seedDemo(admin);
  bureauId = (
    await createUnit(admin, { kind: "bureau", key: "e2e-bureau", nameEn: "Desk Bureau", nameZh: "办公局", parentId: admin.unitId })
  ).id;
  const user = await createUser(admin, { username: officer, displayName: "Desk Officer", roles: [{ unitId: bureauId, role: "editor" }] });
  await setUserPassword(admin, user.id, { password });
  for (const nameEn of ["Amina Wanjiru", "Brian Otieno", "Cynthia Achieng"]) await createPerson(admin, { nameEn, countryCode: "KEN" });
  app = await buildApp({ writeRateLimit: 100_000 });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
  windows = new Windows(browser, base, password);
  fs.mkdirSync(shots, { recursive: true });
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await database?.close();
});

let windows: Windows;
const openWindow = (locale: "en-GB" | "zh-CN") => windows.open(locale);
const signIn = (page: Page, username: string) => windows.signIn(page, username);
const signedIn = (username: string, locale: "en-GB" | "zh-CN" = "en-GB") => windows.signedIn(username, locale);
const done = (page: Page) => windows.done(page);

describe("the web app", () => {
  it("keeps the first download under 350 KB of JavaScript, gzipped", () => {
    const dir = path.join(root, "dist/web");
    const html = fs.readFileSync(path.join(dir, "index.html"), "utf8");
    // The entry script and the chunks it preloads: what the browser fetches before the first screen.
    const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1] as string);
    expect(initial.length).toBeGreaterThan(0);
    const bytes = initial.reduce((n, file) => n + gzipSync(fs.readFileSync(path.join(dir, file)), { level: 9 }).length, 0);
    console.log(`initial JavaScript: ${initial.length} files, ${(bytes / 1024).toFixed(1)} KB gzipped`);
    expect(bytes).toBeLessThan(350 * 1024);
    // The charts come later, with the first screen that draws one.
    expect(initial.some((f) => f.includes("EChart"))).toBe(false);
  });

  it("makes the home page usable with at most 300 KB of JavaScript, gzipped, sent compressed, and draws its chart after the figures", async () => {
    const dir = path.join(root, "dist/web");
    const page = await windows.open("zh-CN");
    const requested: string[] = [];
    const sent: Array<{ file: string; encoding: string; bytes: number }> = [];
    page.on("response", (response) => {
      const url = new URL(response.url());
      if (!url.pathname.endsWith(".js")) return;
      requested.push(url.pathname.slice(1));
      const headers = response.headers();
      sent.push({
        file: url.pathname.slice(1),
        encoding: headers["content-encoding"] ?? "none",
        bytes: Number(headers["content-length"] ?? 0),
      });
    });
    // The moment the figures enter the page, noted by the page itself: Playwright learns of them a
    // round trip later, by which time the idle callback may already have asked for the chart.
    await page.addInitScript(() => {
      const noted = window as unknown as { figuresAt?: number };
      new MutationObserver((_, observer) => {
        if (!document.querySelector('[data-testid="home-engagements"]')) return;
        noted.figuresAt = performance.now();
        observer.disconnect();
      }).observe(document, { childList: true, subtree: true });
    });
    // A cold start: the sign-in screen, then the home page until its figures are on screen.
    await page.reload();
    await windows.signIn(page, "admin");
    await page.getByTestId("home-engagements").waitFor();
    const scriptsStarted = () =>
      page.evaluate(() => ({
        figuresAt: (window as unknown as { figuresAt?: number }).figuresAt ?? Number.NaN,
        scripts: performance
          .getEntriesByType("resource")
          .filter((entry) => new URL(entry.name).pathname.endsWith(".js"))
          .map((entry) => ({ file: new URL(entry.name).pathname.slice(1), startTime: entry.startTime })),
      }));
    const atFigures = await scriptsStarted();
    expect(atFigures.figuresAt).toBeGreaterThan(0);
    const beforeFigures = atFigures.scripts.filter((s) => s.startTime < atFigures.figuresAt).map((s) => s.file);
    const gzipped = (file: string) =>
      fs.existsSync(path.join(dir, `${file}.gz`))
        ? fs.statSync(path.join(dir, `${file}.gz`)).size
        : gzipSync(fs.readFileSync(path.join(dir, file)), { level: 9 }).length;
    const bytes = [...new Set(beforeFigures)].reduce((n, file) => n + gzipped(file), 0);
    const sentBefore = sent.filter((s) => beforeFigures.includes(s.file));
    console.log(
      `home usable after ${new Set(beforeFigures).size} scripts, ${(bytes / 1024).toFixed(1)} KB gzipped; sent ${(sentBefore.reduce((n, s) => n + s.bytes, 0) / 1024).toFixed(1)} KB (${[...new Set(sentBefore.map((s) => s.encoding))].join(", ")})`,
    );
    expect(bytes).toBeLessThanOrEqual(300 * 1024);
    expect(beforeFigures.some((f) => /use-echart|EChart/.test(f))).toBe(false);
    // Every script but the tiniest (under 1 KB, not worth it) came compressed.
    const plain = sent.filter((s) => s.encoding === "none" && fs.statSync(path.join(dir, s.file)).size >= 1024);
    expect(plain).toEqual([]);
    expect(sent.some((s) => s.encoding === "br" || s.encoding === "gzip")).toBe(true);
    // The chart follows, with ECharts, once the figures are up.
    await page.getByRole("img", { name: zh.home.byMonth }).waitFor();
    await expect.poll(() => requested.some((f) => /use-echart|EChart/.test(f))).toBe(true);
    const atChart = await scriptsStarted();
    const chartStarts = atChart.scripts.filter((s) => /use-echart|EChart/.test(s.file)).map((s) => s.startTime);
    expect(chartStarts.length).toBeGreaterThan(0);
    expect(Math.min(...chartStarts)).toBeGreaterThanOrEqual(atChart.figuresAt);
    await done(page);
  });

  it("lets a desk officer create an organisation, record an inbound visit with three delegation members, and find both again", async () => {
    const page = await signedIn(officer);
    await page.goto(`${base}/organisations/new`);
    await page.getByRole("textbox", { name: "Chinese name" }).fill("和平发展联盟党");
    await page.getByRole("textbox", { name: "English name" }).fill("Peace and Development Alliance Party");
    await page.getByRole("textbox", { name: "Abbreviation" }).fill("PDAP");
    await choose(page, "Country", "Keny", "Kenya");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.url()).toMatch(/\/organisations\/\d+$/);
    await page.getByRole("heading", { name: "Peace and Development Alliance Party" }).waitFor();
    expect(await page.getByTestId("organisation-names").getByRole("cell", { name: "和平发展联盟党" }).count()).toBe(1);

    await page.goto(`${base}/engagements/new`);
    await page.getByRole("textbox", { name: "Title (English)" }).fill("Visit of the PDAP delegation");
    await page.getByRole("textbox", { name: "Title (Chinese)" }).fill("和平发展联盟党代表团来访");
    await page.locator("input[type=date]").first().fill("2026-11-20");
    const search = page.getByTestId("participant-search");
    for (const [typed, option] of [
      ["PDAP", /Peace and Development Alliance Party/],
      ["Amina Wanjiru", /Amina Wanjiru/],
      ["Brian Otieno", /Brian Otieno/],
      ["Cynthia Achieng", /Cynthia Achieng/],
    ] as const) {
      await search.fill(typed);
      await page.getByRole("option", { name: option }).first().click();
    }
    await page.getByText("4 participants").waitFor();
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.url()).toMatch(/\/engagements\/\d+$/);
    await page.getByRole("heading", { name: "Visit of the PDAP delegation" }).waitFor();
    for (const name of ["Amina Wanjiru", "Brian Otieno", "Cynthia Achieng"]) await page.getByRole("link", { name }).waitFor();
    await page.getByText("4 participants from 1 country").waitFor();
    await shoot(page, "en-engagement");

    // Global search: "/" focuses it; pinyin and the abbreviation both find the party.
    for (const typed of ["heping fazhan", "PDAP"]) {
      await page.locator("body").click();
      await page.keyboard.press("/");
      await page.keyboard.type(typed);
      const option = page.getByRole("option", { name: /Peace and Development Alliance Party/ });
      await option.waitFor();
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: "Peace and Development Alliance Party" }).waitFor();
    }
    // On the party's page: "last engaged by" and its timeline both name the visit.
    await page.getByRole("link", { name: "Visit of the PDAP delegation" }).first().waitFor();
    expect(await page.getByRole("link", { name: "Visit of the PDAP delegation" }).count()).toBe(2);
    await done(page);
  }, 120_000);

  it("enters a forum of 40 parties by pasting their names", async () => {
    // Forty parties whose English name is theirs alone in the registry, whatever the case and
    // punctuation ("Workers Party" of Ireland and "Workers' Party" of Brazil are two parties,
    // and the picker rightly asks which), and that exist today: one dissolved before the
    // forum's date is offered for a choice, not taken.
    const registry = await db()
      .selectFrom("organisations")
      .select(["nameEn", "kind", "partyfactsId", "matchKeys", existsToday("organisations").as("today")])
      .orderBy("id")
      .execute();
    // How many organisations answer each folded name, as the paste looks names up.
    const bearers = new Map<string, number>();
    for (const o of registry) for (const key of o.matchKeys) bearers.set(key, (bearers.get(key) ?? 0) + 1);
    const answering = (name: string) => ["n", "a"].reduce((n, kind) => n + (bearers.get(`${kind}|${foldName(name)}`) ?? 0), 0);
    const parties = registry
      .filter((o) => o.kind === "political_party" && o.partyfactsId !== null && o.today)
      .filter((o) => /^[A-Za-z][A-Za-z ,.'-]{5,60}$/.test(o.nameEn) && answering(o.nameEn) === 1)
      .slice(0, 40);
    expect(parties).toHaveLength(40);
    const page = await signedIn(officer);
    await page.goto(`${base}/engagements/new`);
    await page.getByText("Event", { exact: true }).click();
    await page.getByRole("textbox", { name: "Title (English)" }).fill("Forum of forty parties");
    await page.locator("input[type=date]").first().fill("2026-10-15");
    await page.getByRole("button", { name: "Paste a list of names" }).click();
    await page.getByTestId("paste-names").fill(parties.map((p) => p.nameEn).join("\n"));
    await page.getByRole("button", { name: "Look them up" }).click();
    const addAll = page.getByRole("button", { name: /^Add the \d+ found$/ });
    await addAll.waitFor();
    const unresolved = (await page.getByTestId("paste-unresolved").count()) ? await page.getByTestId("paste-unresolved").innerText() : "";
    expect(unresolved).toBe("");
    expect(await addAll.innerText()).toBe("Add the 40 found");
    await addAll.click();
    await page.getByText(/^40 participants/).waitFor();
    await shoot(page, "en-engagement-new-forum");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.url()).toMatch(/\/engagements\/\d+$/);
    await page.getByText(/^40 participants from \d+ countries/).waitFor();
    const id = Number(page.url().split("/").at(-1));
    const stored = await db().selectFrom("engagementParticipants").select("role").where("engagementId", "=", id).execute();
    expect(stored).toHaveLength(40);
    expect(new Set(stored.map((p) => p.role))).toEqual(new Set(["guest"]));
    await done(page);
  }, 120_000);

  it("switches every visible string with the language toggle, and keeps the choice for the user", async () => {
    const page = await signedIn(officer);
    await page.goto(`${base}/?year=2022`);
    await page.getByText("Engagements by type").waitFor();
    const fixed = (tree: object): string[] =>
      Object.values(tree).flatMap((v) => (typeof v === "string" ? (v.includes("{{") ? [] : [v]) : fixed(v as object)));
    const english = new Set(fixed(en));
    const chinese = new Set(fixed(zh));
    /** The text of every element that holds text of its own, as a person sees it. */
    const visibleTexts = (p: Page) =>
      p.evaluate(() => {
        const texts: string[] = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const parent = node.parentElement;
          const text = node.textContent?.trim();
          if (!parent || !text || parent.closest("svg")) continue;
          const style = getComputedStyle(parent);
          if (style.display !== "none" && style.visibility !== "hidden") texts.push(text);
        }
        for (const input of Array.from(document.querySelectorAll("input[placeholder]")))
          texts.push((input as HTMLInputElement).placeholder);
        return texts;
      });
    const before = await visibleTexts(page);
    expect(before.filter((t) => english.has(t)).length).toBeGreaterThan(15);
    const kept = page.waitForResponse((r) => r.url().endsWith("/api/auth/preferences") && r.request().method() === "PUT");
    await page.getByText("中文", { exact: true }).click();
    await page.getByText("按类型统计").waitFor();
    expect((await kept).ok()).toBe(true);
    const after = await visibleTexts(page);
    // Shared words ("CSV", "English" in the toggle) are in both dictionaries.
    expect(after.filter((t) => english.has(t) && !chinese.has(t))).toEqual([]);
    expect(after.filter((t) => chinese.has(t)).length).toBeGreaterThan(15);
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe("zh-CN");
    // Kept per user: a new window in an English browser opens in Chinese.
    const again = await signIn(await openWindow("en-GB"), officer);
    await again.getByText("首页", { exact: true }).waitFor();
    await again.getByText("English", { exact: true }).click();
    await again.getByText("Home", { exact: true }).waitFor();
    const back = await visibleTexts(again);
    expect(back.filter((t) => chinese.has(t) && !english.has(t))).toEqual([]);
    await done(again);
    await done(page);
  }, 120_000);

  it("keeps what the user typed when saving fails, and shows why beside the field", async () => {
    const page = await signedIn(officer);
    await page.goto(`${base}/engagements/new`);
    await page.getByText("Talks or meeting", { exact: true }).click();
    await page.getByRole("textbox", { name: "Title (English)" }).fill("Talks that the server refuses");
    await page.getByRole("textbox", { name: "Summary (English)" }).fill("Three points were agreed.");
    await page.locator("input[type=date]").first().fill("2026-09-01");
    // The central office is outside a bureau editor's scope: the server says no.
    await choose(page, "Lead unit", "Central", "Central Office");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByTestId("save-error").waitFor();
    await page.getByText(/Refused by the server: Your roles do not allow this in Central Office/).waitFor();
    expect(page.url()).toMatch(/\/engagements\/new$/);
    expect(await page.getByRole("textbox", { name: "Title (English)" }).inputValue()).toBe("Talks that the server refuses");
    expect(await page.getByRole("textbox", { name: "Summary (English)" }).inputValue()).toBe("Three points were agreed.");
    await shoot(page, "en-engagement-new-failed");
    // Client-side checks speak the user's language too: a title in either language is needed.
    await page.getByRole("textbox", { name: "Title (English)" }).fill("");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Give a title, in Chinese or in English.").first().waitFor();
    await page.getByRole("textbox", { name: "Title (English)" }).fill("Talks that the server accepts");
    await choose(page, "Lead unit", "Desk", "Desk Bureau");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.url()).toMatch(/\/engagements\/\d+$/);
    await done(page);
  }, 120_000);

  it("asks for a new sign-in over the form when the session ends, and saves what was typed", async () => {
    const page = await signedIn(officer);
    await page.goto(`${base}/engagements/new`);
    await page.getByText("Talks or meeting", { exact: true }).click();
    await page.getByRole("textbox", { name: "Title (English)" }).fill("Talks typed before the session ended");
    await page.locator("input[type=date]").first().fill("2026-08-08");
    await choose(page, "Lead unit", "Desk", "Desk Bureau");
    // The session ends on the server (idle timeout, sign-out elsewhere, a password change).
    await db().deleteFrom("sessions").execute();
    await page.getByRole("button", { name: "Save" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Your session ended").waitFor();
    expect(await dialog.locator("input[autocomplete=username]").inputValue()).toBe(officer);
    await dialog.locator("input[autocomplete=current-password]").fill(password);
    await dialog.getByRole("button", { name: "Sign in" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect(await page.getByRole("textbox", { name: "Title (English)" }).inputValue()).toBe("Talks typed before the session ended");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.url()).toMatch(/\/engagements\/\d+$/);
    await page.getByRole("heading", { name: "Talks typed before the session ended" }).waitFor();
    await done(page);
  }, 120_000);

  it("writes the overview in both languages, and every sentence opens the records behind it", async () => {
    // The desk officer's bureau has none of the demo's records: the administrator reads the centenary.
    const admin = await signedIn("admin");
    await admin.getByText("English", { exact: true }).click();
    await admin.goto(`${base}/reports?from=2021-01-01&to=2021-12-31`);
    await admin.getByText("170多个国家的600多个政党和政治组织等发来1500多封贺电贺信。").waitFor();
    await admin
      .getByText(
        "More than 1,500 congratulatory messages poured in from over 600 political parties and political organisations in 170 plus countries.",
      )
      .waitFor();
    const drill = admin.getByTestId("drill-congratulations");
    const count = Number((await drill.innerText()).replace(/\D/g, ""));
    expect(count).toBeGreaterThan(1500);
    await drill.click();
    await admin.getByTestId("list-total").waitFor();
    expect(Number((await admin.getByTestId("list-total").innerText()).replace(/\D/g, ""))).toBe(count);
    // As of the day: the partners in government when we met them, and the records behind them.
    await admin.goto(`${base}/reports?from=2021-01-01&to=2021-12-31`);
    const governing = admin.getByTestId("report-in-government");
    const governingEngagements = Number((await governing.innerText()).match(/engagements: ([\d,]+)/)?.[1]?.replace(/,/g, ""));
    expect(governingEngagements).toBeGreaterThan(0);
    await governing.click();
    await admin.getByText("A partner on the day: In government").waitFor();
    await expect
      .poll(async () => Number((await admin.getByTestId("list-total").innerText()).replace(/\D/g, "")))
      .toBe(governingEngagements);
    // Exact figures are one click away.
    await admin.goto(`${base}/reports?from=2021-01-01&to=2021-12-31`);
    await admin.getByText("Exact", { exact: true }).click();
    await admin.getByText(new RegExp(`^${count.toLocaleString("en")} congratulatory messages`)).waitFor();
    await done(admin);
  }, 120_000);

  it("draws Hong Kong and Taiwan with China on the map, as the territorial policy counts them", async () => {
    // Two letters of a year without demo records: from a group in Hong Kong and one in Taiwan.
    for (const code of ["HKG", "TWN"]) {
      const org = await db()
        .insertInto("organisations")
        .values({ kind: "civil_society", countryCode: code, nameEn: `Friendship group of ${code}` })
        .returning("id")
        .executeTakeFirstOrThrow();
      await createEngagement(admin, {
        type: "correspondence",
        direction: "received",
        subtype: "letter",
        titleEn: `Letter from ${code}`,
        startDate: "2025-03-01",
        status: "done",
        leadUnitId: admin.unitId,
        participants: [{ organisationId: org.id, role: "sender" }],
      });
    }
    const page = await signedIn("admin", "zh-CN");
    await page.goto(`${base}/insight?from=2025-01-01&to=2025-12-31&measure=partners`);
    const list = page.getByRole("link", { name: "中国", exact: true });
    await list.waitFor();
    const row = list.locator("xpath=..");
    expect(await row.innerText()).toMatch(/中国\s*2/);
    expect(await page.getByRole("link", { name: "中国香港" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "中国台湾" }).count()).toBe(0);
    await shoot(page, "zh-insight-map-regions");
    await done(page);
  });

  it("tells a viewer they have no access, instead of a form to lose or an error", async () => {
    const viewer = await createUser(admin, {
      username: "e2e.viewer",
      displayName: "Viewer",
      roles: [{ unitId: bureauId, role: "viewer" }],
    });
    await setUserPassword(admin, viewer.id, { password });
    const page = await signedIn("e2e.viewer", "zh-CN");
    for (const screen of ["/engagements/new", "/approvals"]) {
      await page.goto(`${base}${screen}`);
      await page.getByTestId("no-access").waitFor();
      expect(await page.getByTestId("no-access").innerText()).toContain("无权访问");
      expect(await page.getByText("出错了").count()).toBe(0);
    }
    await shoot(page, "zh-no-access");
    await done(page);
  });

  it("imports a partner list in GB18030 with Chinese headers through the wizard, and finds its parties by their Chinese names", async () => {
    for (const [lang, locale] of [
      ["zh", "zh-CN"],
      ["en", "en-GB"],
    ] as const) {
      const tag = lang === "zh" ? "甲" : "乙";
      const text = [
        "中文名称,英文名称,国家,类型,成立年份,网址",
        `向导导入${tag}党,Wizard ${tag} Party,越南,政党,1990,https://wizard-${lang}.example.org`,
        `向导导入${tag}研究所,Wizard ${tag} Institute,老挝,智库,2001年,www.institute-${lang}.example.org`,
        `火星${tag}党,Mars ${tag} Party,火星,政党,1990,`,
      ].join("\r\n");
      const page = await signedIn(officer, locale);
      await page.goto(`${base}/imports/new`);
      await page.getByTestId("import-drop").waitFor();
      await shoot(page, `${lang}-import-1-upload`);
      await page
        .getByTestId("import-file")
        .setInputFiles({ name: `伙伴名单-${lang}.csv`, mimeType: "text/csv", buffer: iconv.encode(text, "gb18030") });
      await page.getByText("gb18030").first().waitFor();
      await page.getByRole("cell", { name: `向导导入${tag}党` }).waitFor();
      await shoot(page, `${lang}-import-2-sheet`);
      await page.getByTestId("import-next").click();
      await page.getByTestId("import-to-preview").waitFor();
      await shoot(page, `${lang}-import-3-mapping`);
      await page.getByTestId("import-to-preview").click();
      await expect.poll(() => page.getByTestId("import-count-new").innerText()).toMatch(/2$/);
      expect(await page.getByTestId("import-count-invalid").innerText()).toMatch(/1$/);
      await shoot(page, `${lang}-import-4-preview`);
      expect(await page.getByTestId("import-start").innerText()).toMatch(lang === "zh" ? /^导入2行$/ : /^Import 2 rows$/);
      await page.getByTestId("import-start").click();
      await expect
        .poll(() => page.getByTestId("import-outcome").innerText(), { timeout: 20_000 })
        .toMatch(lang === "zh" ? /新增2/ : /2 new/);
      await page.getByText(lang === "zh" ? "未导入的行" : "Rows refused").waitFor();
      await shoot(page, `${lang}-import-5-result`);
      // Found by its Chinese name; the English screen shows it by its English name.
      await page.goto(`${base}/organisations?q=${encodeURIComponent(`向导导入${tag}党`)}`);
      await page
        .getByRole("link", { name: lang === "zh" ? `向导导入${tag}党` : `Wizard ${tag} Party` })
        .first()
        .waitFor();
      await page.goto(`${base}/imports`);
      await page.getByRole("cell", { name: `伙伴名单-${lang}.csv` }).waitFor();
      await shoot(page, `${lang}-imports`);
      await done(page);
    }
  });

  it("imports a register of visits and letters through the wizard, titling each as an official would", async () => {
    for (const [lang, locale] of [
      ["zh", "zh-CN"],
      ["en", "en-GB"],
    ] as const) {
      const tag = lang === "zh" ? "丙" : "丁";
      // The partners are in the registry (the partner list comes first); the register names them in Chinese.
      await registryParty(`Register ${tag} Party`, `登记${tag}党`, "VNM");
      await registryParty(`Register ${tag} Union`, `登记${tag}联盟`, "LAO");
      const text = [
        "日期,类型,外方,国家,内容摘要",
        `2024年3月5日,接待来访,登记${tag}党,越南,交流治党治国经验`,
        `2024年10月1日,收到贺电,登记${tag}党、登记${tag}联盟,,祝贺国庆`,
        `2024年2月30日,收到贺电,登记${tag}党,越南,`,
      ].join("\r\n");
      const page = await signedIn(officer, locale);
      await page.goto(`${base}/imports/new`);
      await page
        .getByTestId("import-kind")
        .getByText(lang === "zh" ? "交往记录" : "Engagement register")
        .click();
      await shoot(page, `${lang}-import-register-1-upload`);
      await page
        .getByTestId("import-file")
        .setInputFiles({ name: `函电登记-${lang}.csv`, mimeType: "text/csv", buffer: iconv.encode(text, "gb18030") });
      await page
        .getByRole("cell", { name: `登记${tag}联盟`, exact: false })
        .first()
        .waitFor();
      await page.getByTestId("import-next").click();
      await page.getByTestId("import-to-preview").waitFor();
      await shoot(page, `${lang}-import-register-2-mapping`);
      await page.getByTestId("import-to-preview").click();
      await expect.poll(() => page.getByTestId("import-count-new").innerText()).toMatch(/2$/);
      expect(await page.getByTestId("import-count-invalid").innerText()).toMatch(/1$/);
      await shoot(page, `${lang}-import-register-3-preview`);
      await page.getByTestId("import-start").click();
      await expect
        .poll(() => page.getByTestId("import-outcome").innerText(), { timeout: 20_000 })
        .toMatch(lang === "zh" ? /新增2/ : /2 new/);
      await page.getByRole("link", { name: lang === "zh" ? "打开交往记录" : "Open the engagements" }).click();
      await page.goto(`${base}/engagements?q=${encodeURIComponent(`登记${tag}党`)}`);
      await page
        .getByText(
          lang === "zh"
            ? `登记${tag}党、登记${tag}联盟发来贺电`
            : `Congratulatory message from Register ${tag} Party, Register ${tag} Union`,
        )
        .first()
        .waitFor();
      await shoot(page, `${lang}-import-register-4-engagements`);
      await done(page);
    }
  });

  it("imports a contact sheet of leaders through the wizard, with the positions they hold", async () => {
    for (const [lang, locale] of [
      ["zh", "zh-CN"],
      ["en", "en-GB"],
    ] as const) {
      const tag = lang === "zh" ? "戊" : "己";
      const latin = lang === "zh" ? "Wu" : "Ji";
      await registryParty(`Sheet ${latin} Party`, `名单${tag}党`, "VNM");
      const text = [
        "中文姓名,英文姓名,所在组织,职务,国家,性别",
        `阮${tag}甲,Nguyen ${latin} Giap,名单${tag}党,总书记,越南,男`,
        `黎${tag}乙,Le ${latin} At,名单${tag}党,中央书记处常务书记,越南,女`,
        `无${tag}名,,名单${tag}党,委员,越南,`,
      ].join("\r\n");
      const page = await signedIn(officer, locale);
      await page.goto(`${base}/imports/new`);
      await page
        .getByTestId("import-kind")
        .getByText(lang === "zh" ? "人物名单" : "Contact sheet")
        .click();
      await page
        .getByTestId("import-file")
        .setInputFiles({ name: `领导人-${lang}.csv`, mimeType: "text/csv", buffer: iconv.encode(text, "gb18030") });
      await page.getByRole("cell", { name: `阮${tag}甲` }).waitFor();
      await page.getByTestId("import-next").click();
      await page.getByTestId("import-to-preview").waitFor();
      await shoot(page, `${lang}-import-people-1-mapping`);
      await page.getByTestId("import-to-preview").click();
      await expect.poll(() => page.getByTestId("import-count-new").innerText()).toMatch(/2$/);
      expect(await page.getByTestId("import-count-invalid").innerText()).toMatch(/1$/);
      await shoot(page, `${lang}-import-people-2-preview`);
      await page.getByTestId("import-start").click();
      await expect
        .poll(() => page.getByTestId("import-outcome").innerText(), { timeout: 20_000 })
        .toMatch(lang === "zh" ? /新增2/ : /2 new/);
      await page.goto(`${base}/people?q=${encodeURIComponent(`Nguyen ${latin} Giap`)}`);
      await page
        .getByRole("link", { name: lang === "zh" ? `阮${tag}甲` : `Nguyen ${latin} Giap` })
        .first()
        .click();
      await page.getByText("总书记").first().waitFor();
      await shoot(page, `${lang}-import-people-3-person`);
      await done(page);
    }
  });

  it("imports a mechanism's member list through the wizard, with the mechanism chosen for the whole file", async () => {
    for (const [lang, locale] of [
      ["zh", "zh-CN"],
      ["en", "en-GB"],
    ] as const) {
      const tag = lang === "zh" ? "庚" : "辛";
      const latin = lang === "zh" ? "Geng" : "Xin";
      await registryParty(`Member ${latin} Party`, `成员${tag}党`, "VNM");
      await registryParty(`Member ${latin} Front`, `成员${tag}阵线`, "LAO");
      const mechanism = await createMechanism(admin, {
        kind: "consultation_mechanism",
        nameEn: `Theory Seminar ${latin}`,
        nameZh: `理论研讨会${tag}`,
        leadUnitId: admin.unitId,
        foundedOn: "2013-01-01",
      });
      const text = [
        "成员,国家,加入时间,退出时间,备注",
        `成员${tag}党,越南,2013年5月,,创始成员`,
        `成员${tag}阵线,老挝,2015,2019年,`,
        `成员${tag}不存在,柬埔寨,2016,,`,
      ].join("\r\n");
      const page = await signedIn("admin", locale);
      await page.goto(`${base}/imports/new`);
      await page
        .getByTestId("import-kind")
        .getByText(lang === "zh" ? "机制成员" : "Mechanism members")
        .click();
      await page
        .getByTestId("import-file")
        .setInputFiles({ name: `机制成员-${lang}.csv`, mimeType: "text/csv", buffer: iconv.encode(text, "gb18030") });
      await page.getByRole("cell", { name: `成员${tag}阵线` }).waitFor();
      await page.getByTestId("import-next").click();
      await page.getByTestId("import-mechanism").click();
      await page.getByRole("option", { name: lang === "zh" ? `理论研讨会${tag}` : `Theory Seminar ${latin}` }).click();
      await shoot(page, `${lang}-import-members-1-mapping`);
      await page.getByTestId("import-to-preview").click();
      await expect.poll(() => page.getByTestId("import-count-new").innerText()).toMatch(/2$/);
      expect(await page.getByTestId("import-count-invalid").innerText()).toMatch(/1$/);
      await shoot(page, `${lang}-import-members-2-preview`);
      await page.getByTestId("import-start").click();
      await expect
        .poll(() => page.getByTestId("import-outcome").innerText(), { timeout: 20_000 })
        .toMatch(lang === "zh" ? /新增2/ : /2 new/);
      await page.goto(`${base}/mechanisms/${mechanism.id}`);
      await page.getByRole("link", { name: lang === "zh" ? `成员${tag}阵线` : `Member ${latin} Front` }).waitFor();
      // A year the list gave ends on its last day.
      await page
        .getByText(lang === "zh" ? "2019年12月31日" : /31 December 2019|2019-12-31|31\/12\/2019/)
        .first()
        .waitFor();
      await shoot(page, `${lang}-import-members-3-mechanism`);
      await done(page);
    }
  });

  it("accepts a suggested Chinese name, then finds the party by its Chinese name, pinyin and a misspelt English name", async () => {
    const cpv = await db().selectFrom("organisations").select("id").where("partyfactsId", "=", 4898).executeTakeFirstOrThrow();
    const page = await signedIn(officer, "zh-CN");
    await page.getByText("中文", { exact: true }).click();
    await page.goto(`${base}/organisations/${cpv.id}`);
    const card = page.getByTestId("name-suggestion");
    await card.getByText("越南共产党", { exact: false }).first().waitFor();
    await card.getByText("通用译名", { exact: false }).first().waitFor();
    await shoot(page, "zh-organisation-suggestion");
    await card.getByRole("button", { name: "采纳", exact: true }).click();
    await card.waitFor({ state: "detached" });
    await page.getByRole("cell", { name: "已审定" }).first().waitFor();
    for (const typed of ["越南共产党", "yuenan gongchandang", "Comunist Party of Vietnam"]) {
      await page.locator("body").click();
      await page.keyboard.press("/");
      await page.keyboard.type(typed);
      await page
        .getByRole("option", { name: /越南共产党/ })
        .first()
        .waitFor();
      await page.keyboard.press("Escape");
    }
    // The review queue: the partners the office works with first, decided from the keyboard.
    await page.goto(`${base}/names?country=ZAF`);
    await page.getByTestId("name-queue").waitFor();
    await shoot(page, "zh-names-queue");
    await page.keyboard.press("a");
    await expect
      .poll(async () => (await db().selectFrom("nameSuggestions").select("status").where("status", "=", "accepted").execute()).length)
      .toBeGreaterThan(1);
    await done(page);
  }, 120_000);

  it("edits an organisation's names as words, shows the change in its history, and merges two records into one", async () => {
    const page = await signedIn(officer, "zh-CN");
    await page.getByText("中文", { exact: true }).click();
    const created = await db()
      .insertInto("organisations")
      .values({ kind: "movement", countryCode: "KEN", nameEn: "Green Belt Movement", searchText: "green belt movement" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db()
      .insertInto("organisationNames")
      .values({ organisationId: created.id, kind: "official", lang: "en", value: "Green Belt Movement", position: 0 })
      .execute();
    await page.goto(`${base}/organisations/${created.id}/edit`);
    // Kinds, languages and scripts read as words, never codes such as und.
    const rows = page.getByTestId("name-row");
    await rows.first().waitFor();
    // The words come with the vocabulary, which may arrive just after the row: waited for, not raced.
    await expect.poll(() => rows.first().getByLabel("名称类别").inputValue()).toBe("正式名称");
    await expect.poll(() => rows.first().getByLabel("语言", { exact: true }).inputValue()).toBe("英语");
    await page.getByRole("button", { name: "添加其他名称" }).click();
    const added = rows.nth(1);
    await added.locator("input").first().fill("绿带运动");
    await added.getByLabel("语言", { exact: true }).click();
    await added.getByLabel("语言", { exact: true }).fill("中文");
    await page.getByRole("option", { name: "中文" }).first().click();
    await page.getByRole("button", { name: "保存" }).click();
    await expect.poll(() => page.url()).toMatch(new RegExp(`/organisations/${created.id}$`));
    await page.getByRole("heading", { name: "绿带运动" }).waitFor();
    await page.getByRole("cell", { name: "中文" }).first().waitFor();
    const history = page.getByTestId("record-history");
    await history.getByText("记录 · 修改").waitFor();
    await shoot(page, "zh-organisation-after-edit");
    // A second record of the same movement: found as a duplicate, compared field by field, merged.
    const twin = await db()
      .insertInto("organisations")
      .values({ kind: "movement", countryCode: "KEN", nameEn: "Green-Belt Movement", foundedYear: 1977, searchText: "green belt movement" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db()
      .insertInto("organisationNames")
      .values({ organisationId: twin.id, kind: "official", lang: "en", value: "Green-Belt Movement", position: 0 })
      .execute();
    await db()
      .updateTable("organisations")
      .set({ matchKeys: ["n|greenbeltmovement"] })
      .where("id", "in", [created.id, twin.id])
      .execute();
    const coordinator = await createUser(admin, {
      username: "merge.coordinator",
      displayName: "Coordinator",
      roles: [{ unitId: admin.unitId, role: "coordinator" }],
    });
    await setUserPassword(admin, coordinator.id, { password });
    const merger = await signedIn("merge.coordinator", "zh-CN");
    await merger.getByText("中文", { exact: true }).click();
    await merger.goto(`${base}/registry/duplicates?country=KEN`);
    await merger.getByTestId("duplicate-pairs").waitFor();
    await shoot(merger, "zh-duplicates");
    await merger.goto(`${base}/organisations/${created.id}`);
    await merger.getByTestId("possible-duplicates").getByRole("link", { name: "比对并合并" }).click();
    await merger.getByTestId("merge-fields").waitFor();
    // The founding year only the twin has is kept by default.
    await merger.getByRole("radio", { name: /成立年份: 1977/ }).waitFor();
    expect(await merger.getByRole("radio", { name: /成立年份: 1977/ }).isChecked()).toBe(true);
    await shoot(merger, "zh-merge");
    await merger.getByTestId("merge-confirm").click();
    await expect.poll(() => merger.url()).toMatch(new RegExp(`/organisations/${created.id}$`));
    await merger.getByText("成立于1977年", { exact: false }).first().waitFor();
    // The merged record's address leads to the one that stayed.
    await merger.goto(`${base}/organisations/${twin.id}`);
    await expect.poll(() => merger.url()).toMatch(new RegExp(`/organisations/${created.id}$`));
    await merger.getByTestId("record-history").getByText("并入另一记录").waitFor();
    await done(merger);
    await done(page);
  }, 120_000);

  it("shows every screen in both languages (screenshots in test-results/screenshots)", async () => {
    const org = await db().selectFrom("organisations").select("id").where("nameEn", "=", "Communist Party of Vietnam").executeTakeFirst();
    const someone = await db().selectFrom("people").select("id").where("demo", "=", true).orderBy("id").executeTakeFirstOrThrow();
    const event = await db().selectFrom("engagements").select("id").where("subtype", "=", "high_level_dialogue").executeTakeFirstOrThrow();
    const programme = await db().selectFrom("programmes").select("id").where("demo", "=", true).orderBy("id").executeTakeFirstOrThrow();
    const mechanism = await db()
      .selectFrom("mechanisms")
      .select("id")
      .where("demo", "=", true)
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    const justicialist = await Promise.all(
      [623, 8059].map(
        async (pf) => (await db().selectFrom("organisations").select("id").where("partyfactsId", "=", pf).executeTakeFirstOrThrow()).id,
      ),
    );
    const screens: Array<[string, string]> = [
      ["home", "/?year=2022"],
      ["registry", "/organisations?region=002&sort=name"],
      ["organisation", `/organisations/${org?.id ?? 1}`],
      ["organisation-new", "/organisations/new"],
      ["organisation-edit", `/organisations/${org?.id ?? 1}/edit`],
      ["duplicates", "/registry/duplicates"],
      ["merge", `/registry/merge?kind=organisations&a=${justicialist[0]}&b=${justicialist[1]}`],
      ["person-edit", `/people/${someone.id}/edit`],
      ["person-new", "/people/new"],
      ["names", "/names"],
      ["people", "/people"],
      ["person", `/people/${someone.id}`],
      ["country", "/countries/VNM"],
      ["engagements", "/engagements?type=correspondence&from=2021-01-01&to=2021-12-31"],
      [
        "engagements-drill",
        "/engagements?from=2021-01-01&to=2021-12-31&status=done&region=002&partnerKind=political_party&partnerStatus=in_government",
      ],
      ["engagement-event", `/engagements/${event.id}`],
      ["engagement-new", "/engagements/new"],
      ["calendar", "/calendar?month=2027-03"],
      ["calendar-agenda", "/calendar?month=2021-07&view=agenda"],
      ["programmes", "/programmes"],
      ["programme", `/programmes/${programme.id}`],
      ["mechanism", `/mechanisms/${mechanism.id}?on=2019-06-01`],
      ["approvals", "/approvals?state=submitted"],
      ["coordination", "/coordination"],
      ["account", "/account"],
      ["report", "/reports?from=2021-01-01&to=2021-12-31"],
      ["report-templates", "/reports/templates"],
      [
        "report-decade",
        `/reports?from=2012-11-15&to=2022-10-20&leadInZh=${encodeURIComponent("党的十八大以来")}&leadInEn=${encodeURIComponent("Since the 18th CPC National Congress")}`,
      ],
      ["insight-map", "/insight?from=2012-01-01&to=2022-12-31"],
      ["insight-coverage", "/insight?measure=coverage"],
      ["insight-trends", "/insight?tab=trends&from=2018-01-01&to=2022-12-31"],
      ["insight-health", "/insight?tab=health"],
      ["insight-network", "/insight?tab=network&from=2017-01-01&to=2022-12-31"],
      ["not-found", "/nowhere"],
    ];
    for (const [lang, locale] of [
      ["en", "en-GB"],
      ["zh", "zh-CN"],
    ] as const) {
      const page = await openWindow(locale);
      await shoot(page, `${lang}-signin`);
      await signIn(page, "admin");
      // The admin's language is whatever the last window chose: set it for this run.
      await page.getByText(lang === "zh" ? "中文" : "English", { exact: true }).click();
      for (const [name, url] of screens) {
        await page.goto(`${base}${url}`);
        await page.locator("main").waitFor();
        await page.waitForLoadState("networkidle");
        // Nothing is still loading, and no error box is showing.
        expect(await page.getByRole("alert").count(), `${lang} ${name}`).toBe(0);
        await shoot(page, `${lang}-${name}`);
      }
      await page.keyboard.press("/");
      await page.keyboard.type(lang === "zh" ? "越南" : "viet");
      await page.getByRole("option").first().waitFor();
      await shoot(page, `${lang}-search`);
      await done(page);
    }
    expect(fs.readdirSync(shots).filter((f) => f.endsWith(".png")).length).toBeGreaterThanOrEqual(2 * (screens.length + 2));
  }, 240_000);
});
