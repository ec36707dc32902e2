import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { expect } from "vitest";
import { db } from "../../src/db/current.ts";

export const root = path.resolve(import.meta.dirname, "../..");
export const shots = path.join(root, "test-results/screenshots");
export const chromiumPath = process.env.LIAISON_CHROMIUM ?? "/usr/bin/chromium";

/** The viewports the web app is looked at in: a desktop, a tablet and a phone. */
export const viewports = {
  desktop: { width: 1440, height: 900 },
  tablet: { width: 768, height: 1024 },
  phone: { width: 390, height: 844 },
} as const;

/**
 * Browser windows on a running server: each in a language and a viewport, signed in or not,
 * and failing the test that caused any uncaught error in its page.
 */
export class Windows {
  private readonly errors = new Map<Page, string[]>();
  constructor(
    readonly browser: Browser,
    readonly base: string,
    readonly password: string,
  ) {}

  /** A fresh window in a language, at the sign-in screen. */
  async open(locale: "en-GB" | "zh-CN", viewport: { width: number; height: number } = viewports.desktop): Promise<Page> {
    const context = await this.browser.newContext({ viewport, locale });
    const page = await context.newPage();
    const errors: string[] = [];
    this.errors.set(page, errors);
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${this.base}/`);
    return page;
  }

  /** Signs in at the sign-in screen. */
  async signIn(page: Page, username: string): Promise<Page> {
    await page.locator("input[autocomplete=username]").fill(username);
    await page.locator("input[autocomplete=current-password]").fill(this.password);
    await page.keyboard.press("Enter");
    await page.locator("[data-testid=user-menu]").waitFor();
    return page;
  }

  /**
   * A fresh window in a language, signed in as `username`. The user's kept language is cleared
   * first, so that the window's language is the one shown: a toggle an earlier test clicked (its
   * save still on the way) cannot decide it.
   */
  async signedIn(
    username: string,
    locale: "en-GB" | "zh-CN" = "en-GB",
    viewport: { width: number; height: number } = viewports.desktop,
  ): Promise<Page> {
    await db().updateTable("users").set({ locale: null }).where("username", "=", username).execute();
    return this.signIn(await this.open(locale, viewport), username);
  }

  /** Closes a window; an uncaught error in its page fails the test that caused it. */
  async done(page: Page): Promise<void> {
    expect(this.errors.get(page) ?? []).toEqual([]);
    await page.context().close();
  }
}

/** Picks an option of a Mantine select by typing part of it. */
export async function choose(page: Page, label: string | RegExp, typed: string, option: string | RegExp): Promise<void> {
  const input = page.getByLabel(label, { exact: true }).first();
  await input.click();
  await input.fill(typed);
  await page.getByRole("option", { name: option }).first().click();
}

/** A full-page screenshot in test-results/screenshots, once the page is quiet. */
export async function shoot(page: Page, name: string): Promise<void> {
  await page.waitForLoadState("networkidle");
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}
