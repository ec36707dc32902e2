import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../test/support/database.ts";
import { actorInFreshUnit, administrator, unique } from "../../../test/support/factories.ts";
import type { Database } from "../../db/connection.ts";
import { db } from "../../db/current.ts";
import { createOrganisation, listOrganisations } from "../organisations/service.ts";
import { wordsBoundThePage } from "../organisations/store.ts";
import { importGeography } from "../reference/service.ts";
import type { Actor } from "../shared/actor.ts";
import { topLevelTerms, vectorMatches } from "./match.ts";
import { buildSearchQuery } from "./text.ts";
import { estimatedMatches, forgetWordShares, indexedTerms, keepWordShares, wordSharesOf } from "./word-shares.ts";

describe("which words of a search the index reads", () => {
  const shares = new Map([
    ["party", 0.42],
    ["partido", 0.05],
    ["social", 0.08],
    ["democratic", 0.15],
    ["new", 0.024],
  ]);

  it("splits a tsquery at its top-level ands only", () => {
    expect(topLevelTerms("'a':* & ('b' | 'c' & 'd') & 'e'")).toEqual(["'a':*", "('b' | 'c' & 'd')", "'e'"]);
    expect(topLevelTerms("'x&y' & 'z'")).toEqual(["'x&y'", "'z'"]);
    expect(topLevelTerms("'solo':*")).toEqual(["'solo':*"]);
  });

  it("leaves out the words too common to be worth their index entries, keeping the order typed", () => {
    // "progressive" is not among the common words: rarer than all of them.
    expect(indexedTerms(["'new':*", "'progressive':*", "'party':*"], shares)).toEqual(["'new':*", "'progressive':*"]);
    // Each common word is kept while it still narrows enough: "social" and "democratic" leave
    // about 1.2% of the records; "party" (42%) is not worth reading for that.
    expect(indexedTerms(["'social':*", "'democratic':*", "'party':*"], shares)).toEqual(["'social':*", "'democratic':*"]);
    // A prefix counts every listed word it begins; an alternative counts both sides.
    expect(indexedTerms(["'part':*", "'zeta':*"], shares)).toEqual(["'zeta':*"]);
    expect(indexedTerms(["('party':* | 'partie')", "'zeta':*"], shares)).toEqual(["'zeta':*"]);
  });

  it("reads every word when there is one, or no statistics to go by, or none is common", () => {
    expect(indexedTerms(["'party':*"], shares)).toEqual(["'party':*"]);
    expect(indexedTerms(["'new':*", "'party':*"], new Map())).toEqual(["'new':*", "'party':*"]);
    expect(indexedTerms(["'alpha':*", "'beta':*"], shares)).toEqual(["'alpha':*", "'beta':*"]);
    // Chinese pieces are read apart like Latin words.
    expect(indexedTerms(["'中国'", "'国共'", "'party':*"], shares)).toEqual(["'中国'", "'国共'"]);
  });

  it("reads every word when one is of another script, which alone might give the index nothing", () => {
    // A Tamil numeral: to_tsquery may drop it from the whole query, but alone it would match nothing.
    expect(indexedTerms(["'௰'", "'party':*"], shares)).toEqual(["'௰'", "'party':*"]);
    expect(indexedTerms(["'партия':*", "'party':*"], shares)).toEqual(["'партия':*", "'party':*"]);
  });

  it("guesses a search thin only when every name its page can take matches its words", () => {
    expect(wordsBoundThePage("new progressive party")).toBe(true);
    expect(wordsBoundThePage("PPC15")).toBe(true);
    // A last word of two letters is matched whole, but "Partido Socialista" starts with "partido so".
    expect(wordsBoundThePage("partido so")).toBe(false);
    expect(wordsBoundThePage("people's p")).toBe(false);
    // A name that starts with the Chinese typed need not hold its pieces ("中" alone).
    expect(wordsBoundThePage("中")).toBe(false);
    expect(wordsBoundThePage("中国共产党")).toBe(false);
    expect(wordsBoundThePage("party-")).toBe(false);
  });
});

describe("a name search with the registry's statistics", () => {
  let database: Database;
  let editor: Actor;
  /** A word of letters only (the search cuts words at digits). */
  const word = () => unique("").replace(/\d/g, (d) => "ghijklmnop"[Number(d)] as string);

  beforeAll(async () => {
    database = await openTestDatabase();
    await importGeography(await administrator());
    editor = await actorInFreshUnit("editor");
  });
  afterAll(() => database.close());

  it("finds the same organisations when the index reads only the rarer words", async () => {
    const [rare, other] = [word(), word()];
    const make = (value: string) =>
      createOrganisation(editor, { kind: "political_party", countryCode: "KEN", names: [{ kind: "official", lang: "en", value }] });
    // Every name holds "Party"; three hold both rare words, one holds one of them.
    for (let i = 0; i < 60; i++) await make(`Party of ${word()}`);
    const wanted = [await make(`${rare} ${other} Party`), await make(`Party ${other} ${rare}`), await make(`${other} Party ${rare}`)];
    await make(`${rare} Party`);
    await sql`ANALYZE organisations`.execute(db());
    forgetWordShares();
    await keepWordShares(db());
    expect(wordSharesOf("o.search_vector").get("party")).toBeGreaterThan(0.5);

    const typed = `${rare} ${other} party`;
    const tsquery = buildSearchQuery(typed) as string;
    // The index reads the two rare words; the whole query is checked on what they leave.
    const compiled = vectorMatches("o.search_vector", tsquery).compile(db());
    expect(compiled.sql).toContain("ts_match_vq");
    expect(compiled.parameters).toEqual([`'${rare}':* & '${other}':*`, tsquery]);
    expect(estimatedMatches("o.search_vector", topLevelTerms(tsquery))).toBeLessThan(1);

    const found = await listOrganisations(editor, { q: typed, pageSize: 50 });
    expect(found.items.map((i) => i.id).sort()).toEqual(wanted.map((o) => o.id).sort());
    expect([found.total, found.totalExact]).toEqual([3, true]);
    // The same as the whole query read from the index alone.
    const plain = await sql<{ id: number }>`SELECT id FROM organisations WHERE search_vector @@ to_tsquery('simple', ${tsquery})`.execute(
      db(),
    );
    expect(plain.rows.map((r) => r.id).sort()).toEqual(wanted.map((o) => o.id).sort());

    // Expected to be thin, a misspelt search looks for other spellings first: the same three.
    const misspelt = await listOrganisations(editor, { q: `${rare} ${other.slice(0, 4)}${other.slice(5)} party`, pageSize: 50 });
    expect(misspelt.items.map((i) => i.id).sort()).toEqual(wanted.map((o) => o.id).sort());
    // Expected to fill its page, the common word is read as typed and counted.
    const common = await listOrganisations(editor, { q: "party", pageSize: 20 });
    expect(common.items).toHaveLength(20);
    expect(common.total).toBeGreaterThanOrEqual(64);
  });
});
