/**
 * The overview as an office opens it: the DOCX of 2021 and of the reference's period
 * (2012-11-15 to 2022-10-20) rendered by LibreOffice to PDF and PNG pages
 * (test-results/documents/), with the page count and the Chinese glyphs checked.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo } from "../../src/core/demo/service.ts";
import { importReference } from "../../src/core/reference/service.ts";
import { prepareOverviewExport } from "../../src/core/reports/export.ts";
import type { Actor } from "../../src/core/shared/actor.ts";
import type { Database } from "../../src/db/connection.ts";
import { openTestDatabase } from "../support/database.ts";
import { administrator } from "../support/factories.ts";

const root = path.resolve(import.meta.dirname, "../..");
const out = path.join(root, "test-results/documents");
const has = (command: string) => {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
// CI installs LibreOffice and poppler (.ci/run); a machine without them skips, saying why.
const canRender = has("soffice") && has("pdftoppm") && has("pdftotext");

let database: Database;
let admin: Actor;

beforeAll(async () => {
  if (!canRender) return;
  database = await openTestDatabase();
  admin = await administrator();
  await importReference(admin);
  await seedDemo(admin);
  fs.mkdirSync(out, { recursive: true });
}, 300_000);
afterAll(() => database?.close());

describe.skipIf(!canRender)("the overview as a document", () => {
  it.each([
    ["2021", { from: "2021-01-01", to: "2021-12-31" }],
    ["2012-2022", { from: "2012-11-15", to: "2022-10-20" }],
  ])(
    "renders the %s report in Chinese, then English, on numbered pages",
    async (name, period) => {
      const file = await prepareOverviewExport(admin, { ...period, format: "docx" });
      const docx = path.join(out, `overview-${name}.docx`);
      fs.writeFileSync(docx, file.body);
      // A profile of its own, so that a LibreOffice open elsewhere does not take the job.
      const profile = `file://${path.join(out, `.lo-profile-${name}`)}`;
      execFileSync("soffice", [`-env:UserInstallation=${profile}`, "--headless", "--convert-to", "pdf", "--outdir", out, docx], {
        stdio: "ignore",
        timeout: 120_000,
      });
      const pdf = docx.replace(/\.docx$/, ".pdf");
      const info = execFileSync("pdfinfo", [pdf]).toString();
      const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
      // The Chinese document and the English one each take at least a page.
      expect(pages).toBeGreaterThanOrEqual(2);
      expect(pages).toBeLessThan(20);
      const text = execFileSync("pdftotext", ["-layout", pdf, "-"]).toString();
      // Chinese glyphs drawn as text (not boxes): the title, a heading, a date (pdftotext puts
      // a space where Chinese meets a digit); the page numbers; the English document after.
      expect(text).toContain("对外工作情况综述");
      expect(text).toContain("一、总体情况");
      expect(text).toMatch(/\d+\s*年\s*\d+\s*月\s*\d+\s*日/);
      expect(text).toMatch(/—\s*1\s*—/);
      expect(text.indexOf("Overview of External Work")).toBeGreaterThan(text.indexOf("对外工作情况综述"));
      const fonts = execFileSync("pdffonts", [pdf]).toString();
      expect(fonts).toMatch(/CJK|Song|Fang|Hei|Kai|Ming/i);
      execFileSync("pdftoppm", ["-png", "-r", "70", pdf, path.join(out, `overview-${name}`)]);
      const pngs = fs.readdirSync(out).filter((f) => f.startsWith(`overview-${name}-`) && f.endsWith(".png"));
      expect(pngs.length).toBe(pages);
    },
    240_000,
  );
});
