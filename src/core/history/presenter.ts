import type { HistoryEntry } from "./schema.ts";

/** Fields that say nothing a reader of the history needs: ids, timestamps, derived columns. */
const quiet = new Set([
  "id",
  "updatedAt",
  "createdAt",
  "lastEngagement",
  "nameSuggestion",
  "links",
  "nameZhSuggested",
  "organisationId",
  "personId",
  "searchText",
  "demo",
  // Derived from the names, which the history shows themselves.
  "name",
  "abbreviation",
]);

/** A value as short text: names with their kind and language, bilingual pairs, lists. */
export function describeValue(value: unknown): string | null {
  if (value === null || value === undefined || value === "") return null;
  if (typeof value !== "object") return String(value);
  if (Array.isArray(value)) {
    const parts = value.map(describeValue).filter((v): v is string => v !== null);
    return parts.length ? parts.join("; ") : null;
  }
  const record = value as Record<string, unknown>;
  if ("value" in record && "kind" in record && "lang" in record)
    return `${String(record.value)} (${String(record.kind)}, ${String(record.lang)})`;
  if ("en" in record && "zh" in record) return [record.zh, record.en].filter(Boolean).join(" / ") || null;
  if ("name" in record && typeof record.name === "object") {
    const code = "code" in record ? `${String(record.code)} ` : "";
    return `${code}${describeValue(record.name) ?? ""}`.trim() || null;
  }
  if ("status" in record && "validFrom" in record)
    return `${String(record.status)} ${String(record.validFrom)} – ${String(record.validTo ?? "")}`.trim();
  const parts = Object.entries(record)
    .filter(([k, v]) => !quiet.has(k) && v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${k}: ${describeValue(v)}`);
  return parts.length ? parts.join(", ") : null;
}

/** The fields that differ between what a row recorded before and after, as short text. */
export function describeChanges(before: unknown, after: unknown): HistoryEntry["changes"] {
  const b = before && typeof before === "object" && !Array.isArray(before) ? (before as Record<string, unknown>) : {};
  const a = after && typeof after === "object" && !Array.isArray(after) ? (after as Record<string, unknown>) : {};
  const changes: HistoryEntry["changes"] = [];
  for (const field of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (quiet.has(field)) continue;
    const was = describeValue(b[field]);
    const now = describeValue(a[field]);
    if (was !== now) changes.push({ field, before: was, after: now });
  }
  return changes;
}
