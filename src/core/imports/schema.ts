import { z } from "zod";
import { countryCode, id, isoDate } from "../shared/schema.ts";
import { keysOf, organisationKinds } from "../shared/vocabulary.ts";
import { engagementFields, memberFields, organisationFields, personFields } from "./fields.ts";
import { encodings } from "./read.ts";

/**
 * What an import brings in: partner organisations, people with their positions, engagements
 * (registers of visits, talks, events, letters), or the members of a mechanism.
 */
export const importKinds = ["organisations", "engagements", "people", "members"] as const;
export const importKind = z.enum(importKinds);
export type ImportKind = z.output<typeof importKind>;

const fieldKey = z.enum([...new Set([...organisationFields, ...engagementFields, ...personFields, ...memberFields].map((f) => f.key))] as [
  string,
  ...string[],
]);

/** How a file is read: its encoding (found when not given), the sheet of a workbook, the header row. */
export const readOptions = z
  .object({
    encoding: z.enum(encodings).optional().describe("The text encoding; found from the bytes when not given."),
    sheet: z.string().min(1).max(200).optional().describe("The workbook's sheet, by name; the first when not given."),
  })
  .strict();

/** Everything an import needs besides the file: what it brings in, how columns map to fields, and what to do with matches. */
export const importOptions = readOptions
  .extend({
    kind: importKind.default("organisations"),
    fileName: z.string().trim().min(1).max(255),
    columns: z
      .array(fieldKey.nullable())
      .max(500)
      .optional()
      .describe("For each column in order, the field it holds (null: left out). Suggested from the headers when not given."),
    mapping: z.string().trim().min(1).max(100).optional().describe("A saved mapping to use for the columns."),
    saveMappingAs: z.string().trim().min(1).max(100).optional().describe("Keep these columns as a named mapping for files of this shape."),
    defaults: z
      .object({
        kind: z.enum(keysOf(organisationKinds)).optional(),
        countryCode: countryCode.optional(),
        engagementKind: z
          .string()
          .regex(/^(visit|talks|event|correspondence|statement|assistance|training):(received|sent|hosted|attended|none)?(:[a-z_]+)?$/)
          .optional()
          .describe(
            "For engagements: the kind of every row that gives none, as type:direction[:subtype], e.g. correspondence:received:congratulatory_message.",
          ),
        mechanismId: id.optional().describe("For members: the mechanism of every row that names none."),
        joinedOn: isoDate.optional().describe("For members: since when the members of rows that give no date are members."),
      })
      .strict()
      .default({})
      .describe(
        "Values for rows whose cell is empty or not mapped: for organisations the kind (political party when not given) and the country; for engagements the kind; for members the mechanism and the date joined.",
      ),
    choices: z
      .record(z.string().regex(/^\d+$/), z.union([id, z.literal("new")]))
      .refine((c) => Object.keys(c).length <= 10_000, "At most 10,000 choices at once.")
      .default({})
      .describe("For an ambiguous row (by its line number): the organisation it is, or new."),
    overwrite: z
      .boolean()
      .default(false)
      .describe("Also overwrite fields a user changed since the last import, and fields already filled."),
  })
  .strict();
export type ImportOptions = z.output<typeof importOptions>;

/** What reading a file for its first look needs: its kind, name, and how it is read (and a saved mapping to try). */
export const inspectOptions = readOptions.extend({
  kind: importOptions.shape.kind,
  fileName: importOptions.shape.fileName,
  mapping: importOptions.shape.mapping,
});

const reason = z.object({ en: z.string(), zh: z.string() });
export const rowStatuses = ["new", "matched", "updated", "unchanged", "ambiguous", "invalid"] as const;
export type RowStatus = (typeof rowStatuses)[number];

const candidate = z.object({
  id: z.number(),
  name: z.object({ en: z.string(), zh: z.string().nullable() }),
  country: z.string().nullable(),
});

export const previewRow = z.object({
  line: z.number().describe("The row's number in the file, as a spreadsheet shows it."),
  status: z.enum(rowStatuses),
  name: z.string().describe("The row's name, as read."),
  organisationId: z.number().nullable().describe("The registry record it is (matched, updated, unchanged), or was created as."),
  engagementId: z.number().nullable().optional().describe("For engagements: the engagement it is, or was created as."),
  candidates: z.array(candidate).describe("For an ambiguous row: the records it may be."),
  errors: z.array(z.object({ column: z.number(), header: z.string(), field: z.string(), reason })),
});
export type PreviewRow = z.output<typeof previewRow>;

const counts = z.object({
  rows: z.number(),
  new: z.number(),
  matched: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  ambiguous: z.number(),
  invalid: z.number(),
});
export type ImportCounts = z.output<typeof counts>;

export const fileInspection = z.object({
  fileName: z.string(),
  format: z.enum(["csv", "xlsx"]),
  encoding: z.string().nullable(),
  delimiter: z.string().nullable(),
  sheets: z.array(z.string()),
  sheet: z.string().nullable(),
  headerLine: z.number().nullable(),
  headers: z.array(z.string()),
  sample: z.array(z.array(z.string())).describe("The first rows after the header."),
  columns: z.array(z.string().nullable()).describe("The suggested (or the saved mapping's) field of each column."),
  fields: z.array(z.object({ key: z.string(), label: reason })),
  mappings: z.array(z.string()).describe("Saved mappings for this kind."),
});
export type FileInspection = z.output<typeof fileInspection>;

export const previewOutput = z.object({
  inspection: fileInspection,
  counts,
  rows: z.array(previewRow).describe("Every row that is not plainly new or unchanged, then the others, up to 1,000."),
  truncated: z.boolean(),
});
export type PreviewOutput = z.output<typeof previewOutput>;

export const importOutput = z.object({
  id: z.number(),
  kind: importKind,
  fileName: z.string(),
  fileHash: z.string(),
  fileSize: z.number(),
  format: z.string(),
  encoding: z.string().nullable(),
  sheet: z.string().nullable(),
  columns: z.array(z.string().nullable()),
  status: z.enum(["running", "done", "interrupted", "undone"]),
  counts: counts.partial().extend({ undone: z.number().optional(), kept: z.number().optional() }),
  errors: z.array(z.object({ line: z.number(), column: z.number(), header: z.string(), field: z.string(), reason })),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  createdBy: z.object({ id: z.number(), displayName: z.string() }).nullable(),
});
export type ImportOutput = z.output<typeof importOutput>;

export const mappingInput = z
  .object({ kind: importKind.default("organisations"), columns: z.array(fieldKey.nullable()).min(1).max(500) })
  .strict();
export const mappingOutput = z.object({
  name: z.string(),
  kind: importKind,
  columns: z.array(z.string().nullable()),
  updatedAt: z.string(),
});
export type MappingOutput = z.output<typeof mappingOutput>;
