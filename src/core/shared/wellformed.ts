/** A character PostgreSQL cannot store in text (U+0000), or half of a surrogate pair with no other half. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the NUL character is exactly what is looked for.
const illFormed = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored as text, or null when it can. */
export function textProblem(value: string): string | null {
  const match = illFormed.exec(value);
  if (!match) return null;
  return match[0] === "\u0000"
    ? "Contains a NUL character (U+0000), which text cannot hold."
    : "Contains text that is not valid Unicode (malformed UTF-8, or half of a surrogate pair).";
}

/**
 * The first string in a parsed input (keys included) that cannot be stored as text, with its
 * path (`names.0.value`), or null. Inputs are walked to a bounded depth: JSON bodies are.
 */
export function findIllFormedText(value: unknown, path: string[] = [], depth = 0): { path: string; message: string } | null {
  if (typeof value === "string") {
    const problem = textProblem(value);
    return problem ? { path: path.join("."), message: problem } : null;
  }
  if (value === null || typeof value !== "object" || depth > 64) return null;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findIllFormedText(item, [...path, String(index)], depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const keyProblem = textProblem(key);
    if (keyProblem) return { path: [...path, key].join("."), message: keyProblem };
    const found = findIllFormedText(item, [...path, key], depth + 1);
    if (found) return found;
  }
  return null;
}

/** Stands for bytes that are not UTF-8 (an unpaired surrogate, as Python's "surrogateescape" does), so the check above refuses them. */
const undecodable = "\uDCFF";

function decodeComponent(text: string): string {
  const plus = text.includes("+") ? text.replaceAll("+", " ") : text;
  if (!plus.includes("%")) return plus;
  try {
    return decodeURIComponent(plus);
  } catch {
    return `${undecodable}${plus}`;
  }
}

/**
 * Parses a query string: repeated keys become arrays, `+` is a space, and a value whose
 * percent-escapes are not UTF-8 is marked so that it is refused with a clear 400 (never
 * silently kept as written, or turned into U+FFFD).
 */
export function parseQueryString(query: string): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = Object.create(null);
  for (const pair of query.split("&")) {
    if (pair === "") continue;
    const at = pair.indexOf("=");
    const key = decodeComponent(at < 0 ? pair : pair.slice(0, at));
    const value = at < 0 ? "" : decodeComponent(pair.slice(at + 1));
    const existing = result[key];
    if (existing === undefined) result[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else result[key] = [existing, value];
  }
  return result;
}
