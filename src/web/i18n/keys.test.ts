import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { en } from "./en.ts";
import { zh } from "./zh.ts";

type Tree = { [key: string]: string | Tree };

/** Every leaf key, dotted, with plural suffixes (_one, _other…) folded into the base key. */
function keys(tree: Tree, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === "string" ? [`${prefix}${k}`.replace(/_(zero|one|two|few|many|other)$/, "")] : keys(v, `${prefix}${k}.`),
  );
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".test.ts") ? [full] : [];
  });
}

const enKeys = new Set(keys(en));
const zhKeys = new Set(keys(zh));

describe("the interface strings", () => {
  it("exist in both languages, key for key", () => {
    expect([...enKeys].filter((k) => !zhKeys.has(k))).toEqual([]);
    expect([...zhKeys].filter((k) => !enKeys.has(k))).toEqual([]);
  });

  it("give English the singular and plural of every counted string", () => {
    const leaves = (tree: Tree, prefix = ""): string[] =>
      Object.entries(tree).flatMap(([k, v]) => (typeof v === "string" ? [`${prefix}${k}`] : leaves(v, `${prefix}${k}.`)));
    const all = leaves(en);
    for (const k of all.filter((k) => k.endsWith("_one"))) expect(all).toContain(k.replace(/_one$/, "_other"));
    for (const k of leaves(zh).filter((k) => k.endsWith("_one"))) expect.fail(`Chinese has no singular: ${k}`);
  });

  it("cover every key the screens use", () => {
    const used = new Set<string>();
    for (const file of sourceFiles(path.resolve(import.meta.dirname, ".."))) {
      const text = fs.readFileSync(file, "utf8");
      for (const m of text.matchAll(/\bt\(\s*"([a-zA-Z0-9_.]+)"/g)) used.add(m[1] as string);
      // Keys chosen from a list: t(["a.b", "a.c"][i]).
      for (const m of text.matchAll(/\bt\(\s*\[([^\]]+)\]/g))
        for (const k of (m[1] as string).matchAll(/"([a-zA-Z0-9_.]+)"/g)) used.add(k[1] as string);
      // Navigation and similar tables: { …, key: "nav.home" }.
      for (const m of text.matchAll(/\bkey: "([a-z]+\.[a-zA-Z0-9_.]+)"/g)) used.add(m[1] as string);
    }
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((k) => !enKeys.has(k))).toEqual([]);
  });

  it("name every role, classification, approval state and error code the server sends", async () => {
    const { roles } = await import("../../core/shared/actor.ts");
    const { errorCodes } = await import("../../core/shared/errors.ts");
    for (const r of roles) expect(enKeys).toContain(`roles.${r}`);
    for (const c of Object.keys(errorCodes)) expect(enKeys).toContain(`errors.${c}`);
    for (const c of ["public", "internal", "restricted"]) expect(enKeys).toContain(`classification.${c}`);
    for (const s of ["draft", "submitted", "endorsed", "approved", "returned", "reported"]) expect(enKeys).toContain(`approval.${s}`);
    for (const s of ["created", "submitted", "approved", "returned", "done", "reported"]) expect(enKeys).toContain(`approvalStep.${s}`);
  });
});
