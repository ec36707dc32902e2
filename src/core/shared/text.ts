// Invisible marks found in real data: zero-width spaces and joiners, bidi marks and
// embeddings, word joiners, the byte-order mark and the soft hyphen.
// Control characters other than tab and line breaks go too: no text holds them, and the database refuses NUL.
const invisibleMarks =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/**
 * Cleans a name or text field from outside: strips invisible marks, folds runs of white
 * space (including line breaks) to one space, applies NFC, and trims. Empty becomes null.
 */
export function cleanText(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const cleaned = value.replace(invisibleMarks, "").normalize("NFC").replace(/\s+/gu, " ").trim();
  return cleaned === "" ? null : cleaned;
}

/** Like cleanText, but keeps line breaks (for descriptions and notes). */
export function cleanMultiline(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const cleaned = value
    .replace(invisibleMarks, "")
    .normalize("NFC")
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => line.replace(/[^\S\n]+/gu, " ").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  return cleaned === "" ? null : cleaned;
}

/** A date as Chinese official documents write it: 2021年1月1日. */
export function chineseDate(iso: string): string {
  const [y, m, d] = iso.split("-").map(Number);
  return `${y}年${m}月${d}日`;
}

/** A date as English documents write it: 1 January 2021. */
export function englishDate(iso: string): string {
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(`${iso}T00:00:00Z`),
  );
}
