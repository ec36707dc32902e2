import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../api.ts";

type Vocabulary = Record<string, Record<string, { en: string; zh: string }>>;

/** The server's closed vocabularies (kinds, types, statuses…), labelled in both languages. */
export function useVocabulary() {
  const { i18n } = useTranslation();
  const { data } = useQuery({
    queryKey: ["vocabulary"],
    queryFn: () => api<Vocabulary>("/vocabulary"),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const zh = i18n.language.startsWith("zh");
  return {
    data,
    label: (list: string, key: string | null | undefined) => {
      if (!key) return "";
      const entry = data?.[list]?.[key];
      return entry ? (zh ? entry.zh : entry.en) : key;
    },
    /** An engagement's subtype, from whichever list its type uses. */
    subtype: (key: string | null | undefined) => {
      if (!key) return "";
      for (const list of ["eventFormats", "correspondenceKinds", "talkModes", "assistanceKinds", "statementStances"]) {
        const entry = data?.[list]?.[key];
        if (entry) return zh ? entry.zh : entry.en;
      }
      return key;
    },
    options: (list: string) => Object.entries(data?.[list] ?? {}).map(([value, l]) => ({ value, label: zh ? l.zh : l.en })),
  };
}
