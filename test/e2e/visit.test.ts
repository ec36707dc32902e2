/**
 * A desk officer's whole visit, in Debian's Chromium: a three-person inbound delegation entered
 * with a Chinese title alone, its itinerary, gifts and files; the warning that another unit meets
 * the same partner; submission, the coordinator's queue and approval; cancel, not delete; the
 * calendar spanning the visit's days; the phone and tablet layouts; a form that asks before its
 * changes are lost; a screen that recovers by itself when the connection returns. Screenshots of
 * each screen in both languages at desktop and phone widths.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { strFromU8, unzipSync } from "fflate";
import ICAL from "ical.js";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAdministratorPassword, setUserPassword } from "../../src/core/auth/service.ts";
import { createEngagement } from "../../src/core/engagements/service.ts";
import { createPerson } from "../../src/core/people/service.ts";
import { importGeography } from "../../src/core/reference/service.ts";
import type { Actor } from "../../src/core/shared/actor.ts";
import { createUnit, createUser } from "../../src/core/units/service.ts";
import type { Database } from "../../src/db/connection.ts";
import { db } from "../../src/db/current.ts";
import { buildApp } from "../../src/server/app.ts";
import { openTestDatabase } from "../support/database.ts";
import { administrator, registryParty } from "../support/factories.ts";
import { chromiumPath, root, shoot, viewports, Windows } from "../support/web.ts";

const password = "a long passphrase for the visit";
let database: Database;
let app: FastifyInstance;
let browser: Browser;
let windows: Windows;
let base = "";
let admin: Actor;
let visitId = 0;
const officer = "asia.officer";
const coordinator = "central.coordinator";
const accountUser = "account.owner";

beforeAll(async () => {
  if (!fs.existsSync(chromiumPath)) throw new Error(`No Chromium at ${chromiumPath}: apt-get install chromium fonts-noto-cjk`);
  execFileSync(process.execPath, [path.join(root, "scripts/build-if-needed.mjs")], { cwd: root, stdio: "inherit" });
  database = await openTestDatabase();
  admin = await administrator();
  await ensureAdministratorPassword(password, () => "unused");
  await importGeography(admin);
  const asia = await createUnit(admin, {
    kind: "bureau",
    key: "asia-one",
    nameEn: "Asia Bureau One",
    nameZh: "亚洲一局",
    parentId: admin.unitId,
  });
  const africa = await createUnit(admin, {
    kind: "bureau",
    key: "africa",
    nameEn: "Africa Bureau",
    nameZh: "非洲局",
    parentId: admin.unitId,
  });
  for (const [username, displayName, unitId, role] of [
    [officer, "王晓明", asia.id, "editor"],
    [coordinator, "李协调", admin.unitId, "coordinator"],
    [accountUser, "张安全", asia.id, "editor"],
  ] as const) {
    const user = await createUser(admin, { username, displayName, roles: [{ unitId, role }] });
    await setUserPassword(admin, user.id, { password });
  }
  const partner = await registryParty("Communist Party of Vietnam", "越南共产党", "VNM");
  await registryParty("Lao People's Revolutionary Party", "老挝人民革命党", "LAO");
  for (const [nameZh, nameEn] of [
    ["阮文平", "Nguyen Van Binh"],
    ["黎氏华", "Le Thi Hoa"],
    ["陈光明", "Tran Quang Minh"],
  ])
    await createPerson(admin, { nameZh, nameEn, countryCode: "VNM" });
  // Another unit already plans talks with the same party three weeks before the visit.
  await createEngagement(admin, {
    type: "talks",
    direction: "sent",
    subtype: "in_person",
    status: "planned",
    titleZh: "赴越南会谈",
    titleEn: "Talks in Hanoi",
    startDate: "2027-04-20",
    leadUnitId: africa.id,
    participants: [{ organisationId: partner, role: "host" }],
  });
  // Work done in 2025 only: the report opens on that year.
  await createEngagement(admin, {
    type: "correspondence",
    direction: "received",
    subtype: "congratulatory_message",
    titleZh: "越南共产党来电祝贺",
    startDate: "2025-10-01",
    leadUnitId: asia.id,
    participants: [{ organisationId: partner, role: "sender" }],
  });
  app = await buildApp({ writeRateLimit: 100_000 });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
  windows = new Windows(browser, base, password);
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await database?.close();
});

/** A small PNG: a screenshot of a coloured square. */
async function pngOf(page: Page): Promise<Buffer> {
  return page.screenshot({ clip: { x: 0, y: 0, width: 40, height: 30 } });
}

/** Opens a Mantine select by its label and picks an option. */
async function pick(page: Page, label: string, option: string) {
  await page.getByLabel(label, { exact: true }).first().click();
  await page.getByRole("option", { name: option, exact: true }).first().click();
}

describe("a desk officer's visit", () => {
  it("records a three-person inbound visit in Chinese, warned of another unit's talks, with its itinerary, gifts and files", async () => {
    const page = await windows.signedIn(officer, "zh-CN");
    await page.goto(`${base}/engagements/new`);
    await page.getByRole("textbox", { name: "标题（中文）" }).fill("越南共产党中央代表团来访");
    await pick(page, "状态", "计划中");
    await page.getByLabel("开始日期").fill("2027-05-11");
    await page.getByLabel("结束日期").fill("2027-05-14");
    const search = page.getByTestId("participant-search");
    for (const name of ["越南共产党", "阮文平", "黎氏华", "陈光明"]) {
      await search.fill(name);
      await page
        .getByRole("option", { name: new RegExp(name) })
        .first()
        .click();
    }
    // Before saving, the form says who else meets the party, and when.
    const warning = page.getByTestId("clash-alert");
    await warning.waitFor();
    expect(await warning.textContent()).toMatch(/非洲局.*2027年4月20日.*越南共产党/);
    const day = page.getByRole("button", { name: "添加一行" });
    for (const [date, time, place, what] of [
      ["2027-05-11", "15:00", "首都国际机场", "抵京"],
      ["2027-05-12", "上午", "人民大会堂", "会谈"],
    ] as const) {
      await day.click();
      await page.getByLabel("日期", { exact: true }).last().fill(date);
      await page.getByLabel("时间", { exact: true }).last().fill(time);
      await page.getByLabel("城市", { exact: true }).last().fill("北京");
      await page.getByLabel("场所", { exact: true }).last().fill(place);
      await page.getByLabel("活动内容", { exact: true }).last().fill(what);
    }
    await page.getByLabel("代表团人数").fill("3");
    await page.getByLabel("内容摘要（中文）").fill("双方就治党理政经验进行交流。");
    await shoot(page, "zh-visit-form");
    await page.getByRole("button", { name: "保存" }).click();
    await expect.poll(() => page.url()).toMatch(/\/engagements\/\d+$/);
    visitId = Number(page.url().split("/").pop());
    await page.getByRole("heading", { name: "越南共产党中央代表团来访" }).waitFor();
    expect(await page.getByTestId("itinerary").textContent()).toMatch(/第1天.*15:00.*抵京.*首都国际机场.*第2天.*人民大会堂/);
    expect(await page.getByTestId("delegation").textContent()).toContain("代表团共 3 人");
    // Gifts go to the register, from the page: the plan is not reopened by them.
    await page.getByTestId("gifts").getByRole("button", { name: "登记礼品" }).click();
    const gift = page.getByRole("dialog");
    await gift.getByRole("textbox", { name: "礼品", exact: true }).fill("景泰蓝花瓶");
    await gift.getByLabel("赠送方", { exact: true }).fill("部长");
    await gift.getByLabel("受赠方", { exact: true }).fill("代表团团长");
    await pick(page, "价值", "一般");
    await shoot(page, "zh-visit-gift");
    await gift.getByRole("button", { name: "保存" }).click();
    await page.getByTestId("gift").first().waitFor();
    expect(await page.getByTestId("gifts").textContent()).toMatch(/赠送.*景泰蓝花瓶.*2027年5月11日 · 部长 → 代表团团长 · 一般/);
    expect(await page.getByTestId("summary").textContent()).toContain("内容摘要（中文）双方就治党理政经验进行交流。");
    expect(await page.getByTestId("clash-alert").textContent()).toContain("非洲局");
    // Files: two at once; the image is shown small, the PDF opens in the browser.
    await page.getByTestId("file-input").setInputFiles([
      { name: "合影.png", mimeType: "image/png", buffer: await pngOf(page) },
      { name: "日程安排.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n") },
      { name: "脚本.exe", mimeType: "application/x-msdownload", buffer: Buffer.from("MZ") },
    ]);
    await expect.poll(() => page.getByTestId("attachment").count()).toBe(2);
    expect(await page.getByRole("alert").filter({ hasText: "脚本.exe" }).count()).toBe(1);
    await page.getByRole("img", { name: "合影.png" }).waitFor();
    const preview = await page.request.get(
      `${base}/api/engagements/${visitId}/attachments/${await attachmentId("日程安排.pdf")}?inline=true`,
    );
    expect(preview.headers()["content-disposition"]).toMatch(/^inline/);
    await shoot(page, "zh-visit-page");
    // The briefing paper, from the page's button: the visit, its programme, its files, its partner.
    const paper = await page.request.get(`${base}${await page.getByTestId("briefing").getAttribute("href")}`);
    expect(paper.headers()["content-type"]).toContain("wordprocessingml");
    const xml = strFromU8(unzipSync(new Uint8Array(await paper.body()))["word/document.xml"] as Uint8Array);
    const paperText = [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join("");
    expect(paperText).toContain("越南共产党中央代表团来访背景材料");
    expect(paperText).toContain("日程安排");
    expect(paperText).toMatch(/附件：(合影\.png、日程安排\.pdf|日程安排\.pdf、合影\.png)/);
    expect(paperText).toContain("外方情况：越南共产党");
    // Talks during the visit start from it: its date, place, unit and partner.
    await page.getByRole("link", { name: "记录期间的会谈会见" }).click();
    expect(await page.getByTestId("part-of").textContent()).toContain("越南共产党中央代表团来访");
    await page.getByRole("textbox", { name: "标题（中文）" }).fill("与越共中央代表团会谈");
    await page.getByText("1 个参加方").first().waitFor();
    await page.getByRole("button", { name: "保存" }).click();
    await page.getByRole("heading", { name: "与越共中央代表团会谈" }).waitFor();
    await page.getByTestId("related").getByRole("link", { name: "越南共产党中央代表团来访" }).click();
    await page.getByTestId("related").getByRole("link", { name: "与越共中央代表团会谈" }).waitFor();
    await page.getByRole("button", { name: "报批" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "报批" }).click();
    await page.getByText("已报批").first().waitFor();
    await windows.done(page);
  }, 120_000);

  it("gives the coordinator the partner, submitter and clash in the queue, and the approved plan is cancelled, not deleted", async () => {
    const page = await windows.signedIn(coordinator, "zh-CN");
    await page.goto(`${base}/approvals`);
    const row = page.getByTestId("approval-queue").getByRole("row").filter({ hasText: "越南共产党中央代表团来访" });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/2027年5月11日.*越南共产党.*越南.*亚洲一局.*王晓明.*需协调 1 项/);
    await shoot(page, "zh-approvals");
    await page.goto(`${base}/coordination`);
    await page.getByTestId("coordination").getByRole("row").filter({ hasText: "越南共产党" }).first().waitFor();
    await shoot(page, "zh-coordination");
    await page.goto(`${base}/engagements/${visitId}`);
    await page.getByRole("button", { name: "批准" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "批准" }).click();
    await page.getByText("已批准").first().waitFor();
    await windows.done(page);

    const desk = await windows.signedIn(officer, "en-GB");
    await desk.goto(`${base}/engagements/${visitId}`);
    await desk.getByRole("button", { name: "Cancel the plan" }).waitFor();
    // The plan is the approvers' now: the desk officer cancels it, and is not offered a delete.
    expect(await desk.getByRole("button", { name: "Delete", exact: true }).count()).toBe(0);
    await shoot(desk, "en-visit-page");
    await windows.done(desk);
  }, 120_000);

  it("takes a visit from the form to approval on a phone: itinerary, file, gift, submission, the coordinator's approval", async () => {
    const noWiderThanTheScreen = async (page: Page, what: string) =>
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), what).toBeLessThanOrEqual(0);
    const page = await windows.signedIn(officer, "zh-CN", viewports.phone);
    await page.getByTestId("burger").click();
    await page.locator("nav").first().getByRole("link", { name: "交往记录" }).click();
    await page.getByRole("link", { name: "新建交往记录" }).click();
    await page.getByRole("textbox", { name: "标题（中文）" }).fill("老挝人民革命党代表团来访");
    await pick(page, "状态", "计划中");
    await page.getByLabel("开始日期").fill("2027-08-03");
    await page.getByLabel("结束日期").fill("2027-08-05");
    await page.getByTestId("participant-search").fill("老挝人民革命党");
    await page
      .getByRole("option", { name: /老挝人民革命党/ })
      .first()
      .click();
    await page.getByRole("button", { name: "添加一行" }).click();
    await page.getByLabel("日期", { exact: true }).last().fill("2027-08-03");
    await page.getByLabel("时间", { exact: true }).last().fill("上午");
    await page.getByLabel("城市", { exact: true }).last().fill("北京");
    await page.getByLabel("活动内容", { exact: true }).last().fill("会谈");
    await page.getByLabel("代表团人数").fill("3");
    await noWiderThanTheScreen(page, "form");
    await shoot(page, "zh-phone-visit-new");
    await page.getByRole("button", { name: "保存" }).click();
    await expect.poll(() => page.url()).toMatch(/\/engagements\/\d+$/);
    const phoneVisit = Number(page.url().split("/").pop());
    await page.getByRole("heading", { name: "老挝人民革命党代表团来访" }).waitFor();
    expect(await page.getByTestId("itinerary").textContent()).toMatch(/第1天.*上午.*会谈/);
    await page
      .getByTestId("file-input")
      .setInputFiles([{ name: "名单.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n%%EOF\n") }]);
    await expect.poll(() => page.getByTestId("attachment").count()).toBe(1);
    await page.getByTestId("gifts").getByRole("button", { name: "登记礼品" }).click();
    await page.getByRole("dialog").getByRole("textbox", { name: "礼品", exact: true }).fill("茶具");
    await page.getByRole("dialog").getByRole("button", { name: "保存" }).click();
    await page.getByTestId("gift").first().waitFor();
    await page.getByRole("button", { name: "报批" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "报批" }).click();
    await page.getByText("已报批").first().waitFor();
    await noWiderThanTheScreen(page, "page");
    await shoot(page, "zh-phone-visit-submitted");
    await windows.done(page);

    const lead = await windows.signedIn(coordinator, "en-GB", viewports.phone);
    await lead.goto(`${base}/approvals`);
    const row = lead.getByTestId("approval-queue").getByText("老挝人民革命党代表团来访");
    await row.first().waitFor();
    await noWiderThanTheScreen(lead, "queue");
    await shoot(lead, "en-phone-approvals");
    await lead.goto(`${base}/engagements/${phoneVisit}`);
    await lead.getByRole("button", { name: "Approve" }).click();
    await lead.getByRole("dialog").getByRole("button", { name: "Approve" }).click();
    await lead.getByText("Approved").first().waitFor();
    // What the coordinator approved: the programme, the file and the gift, on the phone.
    expect(await lead.getByTestId("itinerary").textContent()).toMatch(/Day 1.*会谈/);
    expect(await lead.getByTestId("attachment").first().textContent()).toContain("名单.pdf");
    expect(await lead.getByTestId("gifts").textContent()).toContain("茶具");
    await noWiderThanTheScreen(lead, "approved page");
    await shoot(lead, "en-phone-visit-approved");
    await windows.done(lead);
  }, 120_000);

  it("keeps the gifts register: a unit's gifts by year and direction, and the sheet to file", async () => {
    for (const [lang, locale] of [
      ["zh", "zh-CN"],
      ["en", "en-GB"],
    ] as const) {
      const page = await windows.signedIn(officer, locale);
      await page.goto(`${base}/gifts?year=2027`);
      const register = page.getByTestId("gift-register");
      await register.waitFor();
      expect(await register.textContent()).toMatch(/景泰蓝花瓶.*越南共产党中央代表团来访/);
      expect(await page.getByTestId("gifts-count").textContent()).toBe(
        lang === "zh" ? "共 2 件，其中赠送 2 件、收受 0 件。" : "2 gifts: 2 given, 0 received.",
      );
      const sheet = await page.request.get(`${base}${await page.getByTestId("gifts-export").getAttribute("href")}`);
      expect(sheet.headers()["content-type"]).toContain("spreadsheetml");
      const xml = Object.values(unzipSync(new Uint8Array(await sheet.body())))
        .map((part) => strFromU8(part))
        .join("");
      expect(xml).toContain(lang === "zh" ? "赠送/收受" : "Given or received");
      await shoot(page, `${lang}-gift-register`);
      await windows.done(page);
    }
  }, 60_000);

  it("follows the visit up with a task given to its officer, who finds it on the home page and ticks it done", async () => {
    const page = await windows.signedIn(officer, "zh-CN");
    await page.goto(`${base}/engagements/${visitId}`);
    const card = page.getByTestId("tasks");
    await card.getByLabel("新增事项").fill("发送感谢信");
    await card.getByLabel("承办人").click();
    await page.getByRole("option", { name: "王晓明" }).click();
    await card.getByLabel("完成时限").fill("2027-05-20");
    await card.getByRole("button", { name: "添加事项" }).click();
    await card.getByTestId("task").filter({ hasText: "发送感谢信" }).waitFor();
    expect(await card.getByTestId("task").first().textContent()).toContain("王晓明 · 2027年5月20日前完成");
    await page.goto(`${base}/`);
    const mine = page.getByTestId("my-tasks");
    await mine.getByTestId("task").filter({ hasText: "发送感谢信" }).waitFor();
    expect(await mine.getByRole("link", { name: "越南共产党中央代表团来访" }).count()).toBe(1);
    await shoot(page, "zh-home-tasks");
    await mine.getByRole("checkbox", { name: "完成“发送感谢信”" }).click();
    // Done, it leaves the list of open tasks (and the card, when it was the last).
    await expect.poll(() => page.getByTestId("my-tasks").count()).toBe(0);
    await windows.done(page);
  }, 60_000);

  it("lets a user change their password, see where they are signed in, and make and revoke an API token", async () => {
    const page = await windows.signedIn(accountUser, "zh-CN");
    await page.getByTestId("user-menu").click();
    await page.getByRole("menuitem", { name: "账户与安全" }).click();
    await page.getByRole("heading", { name: "账户与安全" }).waitFor();
    await page.getByTestId("sessions").getByText("当前设备").waitFor();
    await page.getByLabel("当前密码").fill("not the password at all");
    await page.locator("input[autocomplete=new-password]").nth(0).fill("a new and longer passphrase");
    await page.locator("input[autocomplete=new-password]").nth(1).fill("a new and longer passphrase");
    await page.getByRole("button", { name: "修改密码" }).click();
    await page.getByText("当前密码不正确。").waitFor();
    await page.getByLabel("当前密码").fill(password);
    await page.getByRole("button", { name: "修改密码" }).click();
    await page.getByTestId("password-changed").waitFor();
    // The session was renewed: the user goes on working, and the new password signs in.
    await page.getByLabel("名称（用途）").fill("统计脚本");
    await page.getByRole("button", { name: "创建令牌" }).click();
    const created = page.getByTestId("token-created");
    await created.waitFor();
    const token = (await created.locator("pre").textContent())?.trim() ?? "";
    expect(token.length).toBeGreaterThan(20);
    const asToken = await page.request.get(`${base}/api/engagements`, { headers: { authorization: `Bearer ${token}` } });
    expect(asToken.status()).toBe(200);
    await shoot(page, "zh-account");
    await page.getByTestId("tokens").getByRole("button", { name: "撤销" }).click();
    await page.getByTestId("tokens").getByText("已撤销").waitFor();
    expect((await page.request.get(`${base}/api/engagements`, { headers: { authorization: `Bearer ${token}` } })).status()).toBe(401);
    await windows.done(page);
    const again = await windows.open("zh-CN");
    await again.locator("input[autocomplete=username]").fill(accountUser);
    await again.locator("input[autocomplete=current-password]").fill("a new and longer passphrase");
    await again.keyboard.press("Enter");
    await again.locator("[data-testid=user-menu]").waitFor();
    await windows.done(again);
  }, 60_000);

  it("spans the visit's four days in the calendar, and lists each day in the agenda", async () => {
    const page = await windows.signedIn(officer, "zh-CN");
    await page.goto(`${base}/calendar?month=2027-05`);
    const bar = page.getByTestId("calendar-bar").filter({ hasText: "越南共产党中央代表团来访" });
    await bar.first().waitFor();
    expect(await bar.first().getAttribute("data-span")).toBe("4");
    await shoot(page, "zh-calendar-visit");
    // Subscribed from a calendar application: the address, parsed by a third-party iCalendar reader, has the visit.
    await page.getByTestId("subscribe").click();
    await page.getByRole("button", { name: "生成订阅地址" }).click();
    const address = ((await page.getByTestId("feed-created").locator("pre").textContent()) ?? "").trim();
    expect(address).toMatch(new RegExp(`^${base}/ical/cal_[\\w-]+\\.ics$`));
    await shoot(page, "zh-calendar-feeds");
    const feed = await page.request.get(address);
    expect(feed.headers()["content-type"]).toContain("text/calendar");
    const events = new ICAL.Component(ICAL.parse(await feed.text())).getAllSubcomponents("vevent").map((v) => new ICAL.Event(v));
    const visit = events.find((e) => e.summary === "越南共产党中央代表团来访");
    expect([visit?.startDate.toString(), visit?.endDate.toString()]).toEqual(["2027-05-11", "2027-05-15"]);
    await page.getByTestId("feeds").getByRole("button", { name: "撤销" }).click();
    await page.getByTestId("feeds").getByText("已撤销").waitFor();
    expect((await page.request.get(address)).status()).toBe(404);
    await page.keyboard.press("Escape");
    await page.goto(`${base}/calendar?month=2027-05&view=agenda`);
    await expect.poll(() => page.getByTestId("agenda-day").filter({ hasText: "越南共产党中央代表团来访" }).count()).toBe(4);
    expect(await page.getByText("第3天，共4天").count()).toBe(1);
    await windows.done(page);
  }, 60_000);

  it("asks before a link loses the form's changes", async () => {
    const page = await windows.signedIn(officer, "zh-CN");
    await page.goto(`${base}/engagements/${visitId}/edit`);
    await page.getByRole("textbox", { name: "标题（中文）" }).fill("越南共产党中央代表团来访（修改）");
    await page.getByRole("link", { name: "日历" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "留在此页" }).click();
    expect(page.url()).toMatch(/\/edit$/);
    expect(await page.getByRole("textbox", { name: "标题（中文）" }).inputValue()).toBe("越南共产党中央代表团来访（修改）");
    await page.getByRole("link", { name: "日历" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "放弃修改并离开" }).click();
    await expect.poll(() => page.url()).toMatch(/\/calendar$/);
    await windows.done(page);
  }, 60_000);

  it("opens the report on the latest year with work recorded", async () => {
    const page = await windows.signedIn(officer, "zh-CN");
    await page.goto(`${base}/reports`);
    await expect.poll(() => page.getByTestId("report-engagements").textContent()).toMatch(/^1/);
    await page.goto(`${base}/reports?from=2026-01-01&to=2026-12-31`);
    await page.getByTestId("report-latest").getByRole("button", { name: "查看2025年" }).click();
    await expect.poll(() => page.getByTestId("report-engagements").textContent()).toMatch(/^1/);
    await windows.done(page);
  }, 60_000);

  it("shows a screen that failed to download as a connection error, and opens it by itself when the server returns", async () => {
    const page = await windows.signedIn(officer, "zh-CN");
    await page.goto(`${base}/`);
    // The coordination screen's code cannot be fetched, as when the network drops.
    let offline = true;
    await page.route(/\/assets\/CoordinationPage-[^/]+\.js$/, (route) =>
      offline ? route.abort("internetdisconnected") : route.continue(),
    );
    await page.getByRole("link", { name: "协调提示" }).click();
    await page.getByTestId("screen-offline").waitFor();
    expect(await page.getByTestId("screen-offline").textContent()).toContain("无法连接服务器");
    await shoot(page, "zh-offline");
    offline = false;
    await page.getByRole("heading", { name: "协调提示" }).waitFor({ timeout: 30_000 });
    expect(page.url()).toMatch(/\/coordination$/);
    await windows.done(page);
  }, 60_000);

  it("fits a phone and a tablet: the menu folds behind a burger, tables scroll, the visit reads in one column", async () => {
    for (const [lang, locale] of [
      ["zh", "zh-CN"],
      ["en", "en-GB"],
    ] as const) {
      for (const [size, viewport] of [
        ["phone", viewports.phone],
        ["tablet", viewports.tablet],
      ] as const) {
        const page = await windows.signedIn(officer, locale, viewport);
        const nav = page.locator("nav").first();
        // The navigation is folded away (off the screen's left edge) until the burger opens it; a link closes it again.
        const shown = async () => ((await nav.boundingBox())?.x ?? -1) >= 0;
        expect(await shown()).toBe(false);
        await page.getByTestId("burger").click();
        await expect.poll(shown).toBe(true);
        await nav.getByRole("link", { name: lang === "zh" ? "交往记录" : "Engagements" }).click();
        await expect.poll(shown).toBe(false);
        await expect.poll(() => page.url()).toMatch(/\/engagements$/);
        // Nothing is wider than the screen.
        for (const [name, url] of [
          ["home", "/"],
          ["engagements", "/engagements"],
          ["visit-page", `/engagements/${visitId}`],
          ["visit-form", `/engagements/${visitId}/edit`],
          ["calendar", "/calendar?month=2027-05"],
        ]) {
          await page.goto(`${base}${url}`);
          await page.locator("main").waitFor();
          await page.waitForLoadState("networkidle");
          await shoot(page, `${lang}-${size}-${name}`);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          expect(overflow, `${lang} ${size} ${name}`).toBeLessThanOrEqual(0);
        }
        await page.getByTestId("burger").click();
        await shoot(page, `${lang}-${size}-menu`);
        await windows.done(page);
      }
    }
  }, 180_000);
});

async function attachmentId(fileName: string): Promise<number> {
  const row = await db().selectFrom("engagementAttachments").select("id").where("fileName", "=", fileName).executeTakeFirstOrThrow();
  return row.id;
}
