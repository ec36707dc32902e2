import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";

/*
 * A change (PATCH) changes the fields it gives and no other. A change schema made with
 * `.partial()` from a creation schema keeps the creation's defaults, so that a country group
 * renamed lost its members and a country edited stopped being historical. Every change schema of
 * every module is held to that here: none of its fields may take a value when left out.
 */
const core = path.resolve(import.meta.dirname, "..");
const schemaFiles = fs
  .readdirSync(core)
  .map((module) => path.join(core, module, "schema.ts"))
  .filter((file) => fs.existsSync(file));

/** The fields of an object schema that are filled in when left out (a default, under any optional). */
function defaultedFields(schema: z.ZodObject): string[] {
  return Object.entries(schema.shape).flatMap(([name, field]) => {
    let inner: unknown = field;
    while (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable) inner = inner.unwrap();
    return inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault ? [name] : [];
  });
}

describe("change schemas", () => {
  it("fill in nothing that a change leaves out, in every module", async () => {
    const found: string[] = [];
    const defaulted: Record<string, string[]> = {};
    for (const file of schemaFiles) {
      const exported = (await import(file)) as Record<string, unknown>;
      for (const [name, schema] of Object.entries(exported)) {
        if (!/UpdateInput$/.test(name) || !(schema instanceof z.ZodObject)) continue;
        found.push(name);
        const fields = defaultedFields(schema);
        if (fields.length > 0) defaulted[name] = fields;
      }
    }
    // The modules' change schemas were found (a rename of the convention would leave this empty).
    expect(found).toEqual(expect.arrayContaining(["countryGroupUpdateInput", "countryUpdateInput", "organisationUpdateInput"]));
    expect(defaulted).toEqual({});
  });

  it("left one of them, until mended, resetting a country group's members on a rename", () => {
    const create = z.object({ name: z.string(), members: z.array(z.string()).default([]) });
    expect(defaultedFields(create.partial())).toEqual(["members"]);
    expect(create.partial().parse({ name: "x" })).toEqual({ name: "x", members: [] });
  });
});
