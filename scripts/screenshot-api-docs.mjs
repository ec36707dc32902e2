// Screenshots of the API docs page and a name search tried from it, in headless Debian
// Chromium: LIAISON_ADMIN_PASSWORD=… node scripts/screenshot-api-docs.mjs [URL] [OUTPUT_DIR]
import { chromium } from "playwright-core";

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const errors = [];
page.on("console", (m) => {
  if (m.type() === "error") errors.push(m.text());
});
const base = process.argv[2] ?? "http://127.0.0.1:8080/";
// Sign in first (the docs' "Try it out" calls go out with the session cookie).
if (process.env.LIAISON_ADMIN_PASSWORD) {
  const login = await page.request.post(new URL("/api/auth/login", base).toString(), {
    data: { username: "admin", password: process.env.LIAISON_ADMIN_PASSWORD },
  });
  console.log("sign-in:", login.status());
}
await page.goto(base);
await page.waitForSelector(".opblock", { timeout: 15000 });
await page.screenshot({ path: `${process.argv[3] ?? "."}/api-docs.png` });
await page.locator(".opblock-summary-path", { hasText: "/api/organisations" }).first().click();
await page.waitForTimeout(500);
await page
  .locator("button.try-out__btn")
  .first()
  .click()
  .catch(() => {});
await page.waitForTimeout(300);
await page
  .locator("tr[data-param-name='q'] input")
  .fill("共产党")
  .catch((e) => console.log("no q input", e.message));
await page
  .locator("button.execute")
  .first()
  .click()
  .catch((e) => console.log("no execute", e.message));
await page.waitForTimeout(1500);
await page.locator(".responses-wrapper .highlight-code").first().scrollIntoViewIfNeeded();
await page.screenshot({ path: `${process.argv[3] ?? "."}/api-docs-search.png`, fullPage: false });
console.log("console errors:", errors);
await browser.close();
