import { createHash } from "node:crypto";
import { sql } from "kysely";
import { matchKeys, personMatchKeys } from "../merge/keys.ts";
import { referencingColumns } from "../merge/references.ts";
import { composeNames, nameColumns } from "../people/service.ts";
import { refused } from "../shared/errors.ts";
import type { AuditEntry, Trx } from "../shared/mutation.ts";
import {
  type ClassifiedRow,
  claimRowId,
  type ImportEngine,
  type PreparedRow,
  type RunOptions,
  type RunState,
  refuseRow,
  registryFinder,
  rowError,
  rowValues,
} from "./engine.ts";
import { type CountryLookup, personFields } from "./fields.ts";
import type { ReadRow } from "./read.ts";

/**
 * Imports an office's contact sheets of party leaders and officials: one row a person, with the
 * position they hold in a partner organisation (found in the registry by any of its names, the
 * Chinese names it only suggests included). A person already in the registry (same names,
 * folded, in any script and word order) is that person: the row adds the position it gives.
 */

interface PersonValues {
  nameZh?: string;
  nameEn?: string;
  familyNameEn?: string;
  givenNameEn?: string;
  nameNative?: string;
  aliases?: string[];
  gender?: string;
  birthYear?: number;
  countryCode?: string;
  organisation?: string;
  titleZh?: string;
  titleEn?: string;
  startDate?: string;
  endDate?: string;
}

interface PreparedPerson extends PreparedRow {
  values: PersonValues;
  /** The person's keys (see personMatchKeys): what finds them in the registry. */
  keys: string[];
  /** Keys of the names that say who they are (the Latin and native names, in either word order): an alias or a transliteration alone does not. */
  strongKeys: string[];
}

interface ClassifiedPerson extends PreparedPerson, ClassifiedRow {
  personId: number | null;
  /** The organisation of the position the row gives. */
  positionOrganisationId: number | null;
}

/** Keys of the names that say who someone is: the Latin name in either word order, and the native name. */
function nameKeys(nameEn: string, nameNative: string | null): string[] {
  return matchKeys(
    [nameEn, nameEn.split(/\s+/).filter(Boolean).sort().join(" "), nameNative]
      .filter((n): n is string => Boolean(n))
      .map((value) => ({ kind: "official", value })),
  );
}

function prepare(
  row: ReadRow,
  headers: string[],
  columns: Array<string | null>,
  countries: CountryLookup,
  options: RunOptions,
): PreparedPerson {
  const { values, sourceId, errors, fail } = rowValues<PersonValues>(row, headers, columns, personFields, countries);
  // A person's record needs a name in Latin letters (their own, or the English one): a Chinese
  // transliteration alone is not their name.
  const latin =
    values.nameEn ??
    ([values.givenNameEn, values.familyNameEn].filter(Boolean).join(" ") || null) ??
    (values.nameNative && /\p{Script=Latin}/u.test(values.nameNative) ? values.nameNative : null);
  if (!latin && errors.length === 0)
    errors.push(
      rowError({
        en: "The row gives no name in English or in the person's own Latin script.",
        zh: "此行没有英文名或原文（拉丁字母）名，无法建立人物记录。",
      }),
    );
  // The registry's own limits (the API's), so that an imported record can be edited as it is.
  const limits: Array<[keyof PersonValues, number]> = [
    ["familyNameEn", 200],
    ["givenNameEn", 200],
    ["nameEn", 300],
    ["nameZh", 300],
    ["nameNative", 300],
    ["titleEn", 300],
    ["titleZh", 300],
  ];
  for (const [field, max] of limits) {
    const value = values[field];
    if (typeof value === "string" && value.length > max) fail(field, { en: `Longer than ${max} characters.`, zh: `超过${max}个字符。` });
  }
  if ((values.aliases ?? []).some((a) => a.length > 300) || (values.aliases ?? []).length > 50)
    fail("aliases", { en: "At most 50 other names of 300 characters each.", zh: "别名最多50个，每个不超过300个字符。" });
  if (values.birthYear !== undefined && (values.birthYear < 1800 || values.birthYear > 2200))
    fail("birthYear", { en: "Not a birth year.", zh: "不是有效的出生年份。" });
  if ((values.titleZh || values.titleEn) && !values.organisation)
    fail("organisation", { en: "A position needs the organisation it is held in.", zh: "职务须注明所在组织。" });
  if (values.startDate && values.endDate && values.endDate < values.startDate)
    fail("endDate", { en: "The position ends before it starts.", zh: "任职结束日期早于开始日期。" });
  const names = latin
    ? composeNames({
        nameEn: latin,
        familyNameEn: values.familyNameEn,
        givenNameEn: values.givenNameEn,
        nameZh: values.nameZh,
        nameNative: values.nameNative,
        aliases: values.aliases,
      })
    : null;
  const keys = names ? personMatchKeys(names) : [];
  const strongKeys = names ? nameKeys(names.nameEn, names.nameNative) : [];
  const content = JSON.stringify(values);
  const rowHash = createHash("sha256").update(content).digest("hex").slice(0, 32);
  const rowKey = sourceId ? `id:${options.scope}:${sourceId}` : `row:${rowHash}`;
  const name = [values.nameZh, latin].filter(Boolean).join(" · ");
  return { line: row.line, name, values, errors, rowKey, rowHash, keys, strongKeys };
}

async function classify(trx: Trx, batch: PreparedPerson[], options: RunOptions, state: RunState): Promise<ClassifiedPerson[]> {
  await sql`SET LOCAL enable_seqscan = off`.execute(trx);
  const valid = batch.filter((r) => r.errors.length === 0);
  const known = valid.length
    ? await trx
        .selectFrom("importRows")
        .select(["rowKey", "entityId", "rowHash"])
        .where(sql<boolean>`kind = 'people' AND row_key = ANY(${valid.map((r) => r.rowKey)}::text[])
          AND EXISTS (SELECT 1 FROM people p WHERE p.id = import_rows.entity_id)`)
        .execute()
    : [];
  const byRowKey = new Map(known.map((k) => [k.rowKey, k]));
  const keys = [...new Set(valid.flatMap((r) => r.strongKeys))];
  // Found by any key (the index), kept by their own names: someone's alias is not their name.
  const people = (
    keys.length
      ? await trx
          .selectFrom("people")
          .select(["id", "nameEn", "nameZh", "nameNative", "countryCode"])
          .where(sql<boolean>`match_keys && ${keys}::text[]`)
          .execute()
      : []
  ).map((p) => ({ ...p, matchKeys: nameKeys(p.nameEn, p.nameNative) }));
  const organisationNames = [...new Set(valid.flatMap((r) => (r.values.organisation ? [r.values.organisation] : [])))];
  const organisationOf = await registryFinder(trx, organisationNames);
  await sql`SET LOCAL enable_seqscan = on`.execute(trx);
  return batch.map((row) => {
    const classified = classifyRow(row);
    if (classified.status !== "invalid" && classified.status !== "ambiguous") {
      // Within the file, the same names in the same country (or none given) are one person.
      for (const key of row.strongKeys) {
        const seenKey = `p#${row.values.countryCode ?? ""}#${key}`;
        if (!state.seen.has(seenKey)) state.seen.set(seenKey, { line: row.line, organisationId: classified.personId });
      }
    }
    return classified;
  });
  function classifyRow(row: PreparedPerson): ClassifiedPerson {
    const base: ClassifiedPerson = {
      ...row,
      status: "new",
      organisationId: null,
      candidates: [],
      personId: null,
      positionOrganisationId: null,
    };
    if (row.errors.length > 0) return { ...base, status: "invalid" };
    const repeated = claimRowId(state, row);
    if (repeated) return refuseRow(base, repeated);
    let positionOrganisationId: number | null = null;
    if (row.values.organisation) {
      const found = organisationOf(row.values.organisation, row.values.countryCode);
      if (found.length === 0)
        return refuseRow(base, {
          en: `No organisation named “${row.values.organisation}” in the registry: add it (or import the partner list) first.`,
          zh: `名录中没有名为“${row.values.organisation}”的组织：请先添加（或先导入伙伴名单）。`,
        });
      if (found.length > 1)
        return refuseRow(base, {
          en: `Several organisations are named “${row.values.organisation}”: add a country column to tell them apart.`,
          zh: `名录中有多个名为“${row.values.organisation}”的组织：请增加“国家”列以便区分。`,
        });
      positionOrganisationId = (found[0] as (typeof found)[number]).id;
    }
    const withOrganisation = { ...base, positionOrganisationId };
    const previous = byRowKey.get(row.rowKey);
    if (previous)
      return { ...withOrganisation, status: previous.rowHash === row.rowHash ? "unchanged" : "updated", personId: previous.entityId };
    const choice = options.choices[String(row.line)];
    if (choice === "new") return withOrganisation;
    const earlier = row.strongKeys.map((k) => state.seen.get(`p#${row.values.countryCode ?? ""}#${k}`)).find((s) => s !== undefined);
    if (earlier) return { ...withOrganisation, status: "matched", personId: earlier.organisationId, sameAs: earlier.line };
    // The same Latin or native name, in either word order (an alias or a Chinese transliteration
    // alone is not enough), in the same country where both say one.
    const byName = people.filter(
      (p) =>
        row.strongKeys.some((k) => p.matchKeys.includes(k)) &&
        (!row.values.countryCode || !p.countryCode || p.countryCode === row.values.countryCode),
    );
    if (typeof choice === "number" && byName.some((p) => p.id === choice))
      return { ...withOrganisation, status: "matched", personId: choice };
    if (byName.length === 1) return { ...withOrganisation, status: "matched", personId: (byName[0] as (typeof byName)[number]).id };
    if (byName.length > 1)
      return {
        ...withOrganisation,
        status: "ambiguous",
        candidates: byName.slice(0, 10).map((p) => ({ id: p.id, name: { en: p.nameEn, zh: p.nameZh }, country: p.countryCode })),
      };
    return withOrganisation;
  }
}

async function write(trx: Trx, importId: number, rows: ClassifiedPerson[]): Promise<AuditEntry[]> {
  const audit: AuditEntry[] = [];
  for (const row of rows) {
    if (row.status === "invalid" || row.status === "ambiguous" || row.status === "unchanged") continue;
    const v = row.values;
    let personId = row.personId;
    let created = false;
    // A row repeating an earlier row of the file that was new: that person, written by then.
    if (personId === null && row.sameAs !== undefined) {
      const earlier = await trx
        .selectFrom("importRows")
        .select("entityId")
        .where("kind", "=", "people")
        .where("importId", "=", importId)
        .where(sql<boolean>`(written->>'line')::int = ${row.sameAs}`)
        .executeTakeFirst();
      personId = earlier?.entityId ?? null;
    }
    if (personId === null) {
      const names = composeNames({
        nameEn: v.nameEn ?? ([v.givenNameEn, v.familyNameEn].filter(Boolean).join(" ") || v.nameNative),
        familyNameEn: v.familyNameEn,
        givenNameEn: v.givenNameEn,
        nameZh: v.nameZh,
        nameNative: v.nameNative,
        aliases: v.aliases,
      });
      const inserted = await trx
        .insertInto("people")
        .values({
          ...nameColumns(names),
          gender: (v.gender ?? "unknown") as "unknown",
          birthYear: v.birthYear ?? null,
          countryCode: v.countryCode ?? null,
          importId,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      personId = inserted.id;
      created = true;
      audit.push({
        entity: "person",
        entityId: personId,
        action: "create",
        after: { ...names, gender: v.gender ?? "unknown", birthYear: v.birthYear ?? null, countryCode: v.countryCode ?? null, importId },
      });
    }
    // The position the row gives, once: the same title in the same organisation is that position.
    let positionId: number | null = null;
    if (row.positionOrganisationId && (v.titleEn || v.titleZh)) {
      const existing = await trx
        .selectFrom("positions")
        .select("id")
        .where("personId", "=", personId)
        .where("organisationId", "=", row.positionOrganisationId)
        .where((eb) => eb.or([eb("titleEn", "=", v.titleEn ?? v.titleZh ?? ""), eb("titleZh", "=", v.titleZh ?? "")]))
        .executeTakeFirst();
      if (!existing) {
        const position = await trx
          .insertInto("positions")
          .values({
            personId,
            organisationId: row.positionOrganisationId,
            titleEn: (v.titleEn ?? v.titleZh) as string,
            titleZh: v.titleZh ?? null,
            startDate: v.startDate ?? null,
            endDate: v.endDate ?? null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        positionId = position.id;
        audit.push({
          entity: "position",
          entityId: position.id,
          action: "create",
          after: position,
          subject: { kind: "person", id: personId },
        });
      }
    }
    row.personId = personId;
    const values = {
      importId,
      entityId: personId,
      created,
      rowHash: row.rowHash,
      written: JSON.stringify({ line: row.line }),
      importedAt: new Date(),
    };
    // A row whose person this import created (again, where the earlier one was deleted) is this
    // import's from now on; otherwise the row stays the import's that first wrote it, with its new content.
    await trx
      .insertInto("importRows")
      .values({ kind: "people", rowKey: row.rowKey, before: null, ...values })
      .onConflict((oc) => oc.columns(["kind", "rowKey"]).doUpdateSet(created ? values : { rowHash: row.rowHash, importedAt: new Date() }))
      .execute();
    // Each position this import added, for its undo, whichever import the row belongs to.
    if (positionId !== null)
      await trx
        .insertInto("importRows")
        .values({
          kind: "positions",
          rowKey: `pos:${positionId}`,
          importId,
          entityId: positionId,
          created: true,
          rowHash: row.rowHash,
          written: JSON.stringify({ personId }),
          before: null,
        })
        .execute();
  }
  return audit;
}

/** Undoes a people import: the positions it added go, and the people it created while nothing else points at them. */
async function undo(trx: Trx, importId: number) {
  const rows = await trx
    .selectFrom("importRows")
    .select(["entityId", "created"])
    .where("importId", "=", importId)
    .where("kind", "=", "people")
    .execute();
  const added = await trx
    .selectFrom("importRows")
    .select("entityId")
    .where("importId", "=", importId)
    .where("kind", "=", "positions")
    .execute();
  const positions = added.length
    ? await trx
        .deleteFrom("positions")
        .where(
          "id",
          "in",
          added.map((a) => a.entityId),
        )
        .returning(["id", "personId", "organisationId", "titleEn", "titleZh"])
        .execute()
    : [];
  const ownParts = new Set(["positions"]);
  const blockers = (await referencingColumns(trx, "people")).filter((c) => !ownParts.has(c.table));
  const free = sql.join(
    blockers.map((b) => sql`NOT EXISTS (SELECT 1 FROM ${sql.table(b.table)} x WHERE x.${sql.ref(b.column)} = p.id)`),
    sql` AND `,
  );
  const created = rows.filter((r) => r.created).map((r) => r.entityId);
  const deleted = created.length
    ? await sql<{ id: number; nameEn: string; nameZh: string | null }>`
      DELETE FROM people p WHERE p.import_id = ${importId} AND p.id = ANY(${created}::int[])
      AND NOT EXISTS (SELECT 1 FROM positions x WHERE x.person_id = p.id)
      ${blockers.length ? sql`AND ${free}` : sql``}
      RETURNING p.id, p.name_en AS "nameEn", p.name_zh AS "nameZh"`.execute(trx)
    : { rows: [] };
  await trx.deleteFrom("importRows").where("importId", "=", importId).where("kind", "in", ["people", "positions"]).execute();
  const audit: AuditEntry[] = [
    ...deleted.rows.map((p) => ({
      entity: "person",
      entityId: p.id,
      action: "delete",
      before: { nameEn: p.nameEn, nameZh: p.nameZh, importId },
    })),
    ...positions.map((position) => ({
      entity: "position",
      entityId: position.id,
      action: "delete",
      before: { ...position, importId },
      subject: { kind: "person" as const, id: position.personId },
    })),
  ];
  return { undone: deleted.rows.length, kept: created.length - deleted.rows.length, audit };
}

/** The people import: contact sheets of leaders and officials, with their positions. */
export const peopleImport: ImportEngine = {
  permission: "registry.write",
  undoPermission: "registry.delete",
  fields: personFields,
  checkColumns(columns) {
    if (!columns.some((c) => c === "nameEn" || c === "familyNameEn" || c === "givenNameEn" || c === "nameNative"))
      throw refused(
        { zh: "请至少把一列对应为英文名或原文名。", en: "Map at least one column to the English or the native name." },
        "columns",
      );
  },
  prepare,
  classify(trx, batch, options, state) {
    return classify(trx, batch as PreparedPerson[], options, state);
  },
  write(trx, _actor, importId, rows) {
    return write(trx, importId, rows as ClassifiedPerson[]);
  },
  undo(trx, _actor, importId) {
    return undo(trx, importId);
  },
};
