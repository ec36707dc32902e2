import { z } from "zod";
import { countryCode, key, optionalText, text } from "../shared/schema.ts";

export const countryGroupCreateInput = z.object({
  key,
  nameEn: text(300),
  nameZh: text(300),
  description: optionalText(2000),
  countryCodes: z.array(countryCode).max(400).default([]),
});
/** A change: only the fields given change; a group renamed keeps its members (no default of none). */
export const countryGroupUpdateInput = countryGroupCreateInput.extend({ countryCodes: z.array(countryCode).max(400) }).partial();

export const countryGroupOutput = z.object({
  id: z.number(),
  key: z.string(),
  name: z.object({ en: z.string(), zh: z.string() }),
  description: z.string().nullable(),
  countryCodes: z.array(z.string()),
});
export type CountryGroupOutput = z.output<typeof countryGroupOutput>;
