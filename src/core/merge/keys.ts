import { foldName } from "../search/text.ts";

/** Which kind of name a match key came from: a name of any other kind, or an abbreviation. */
export type KeyKind = "n" | "a";

/**
 * The keys two records of one partner share: each name folded (see `foldName`) and marked
 * "n" for a name (official, short, former, alias, in any script) or "a" for an abbreviation,
 * which says less. Candidates must also share the country, so that two parties of one name
 * in two countries are not taken for one.
 */
export function matchKeys(names: ReadonlyArray<{ kind: string; value: string }>): string[] {
  const keys = new Set<string>();
  for (const name of names) {
    const folded = foldName(name.value);
    // One letter or digit says nothing about identity.
    if ([...folded].length < 2) continue;
    const kind: KeyKind = name.kind === "abbreviation" ? "a" : "n";
    keys.add(`${kind}|${folded}`);
  }
  return [...keys].sort();
}

/** The folded name of a key and the kind it came from. */
export function splitKey(key: string): { kind: KeyKind; folded: string } {
  const [kind, ...rest] = key.split("|");
  return { kind: kind as KeyKind, folded: rest.join("|") };
}

/**
 * A person's keys: their names in each script, their aliases, and the English name with its
 * words in alphabetical order, so that "Xi Jinping" and "Jinping Xi" agree.
 */
export function personMatchKeys(names: { nameEn: string; nameZh: string | null; nameNative: string | null; aliases: string[] }): string[] {
  const reordered = names.nameEn.split(/\s+/).filter(Boolean).sort().join(" ");
  return matchKeys([
    { kind: "official", value: names.nameEn },
    ...(names.nameZh ? [{ kind: "official", value: names.nameZh }] : []),
    ...(names.nameNative ? [{ kind: "official", value: names.nameNative }] : []),
    ...names.aliases.map((value) => ({ kind: "alias", value })),
    { kind: "alias", value: reordered },
  ]);
}
