import { useSearchParams } from "react-router";

/**
 * A screen's filters and page kept in the URL, so that every list is a link to share. Changing
 * a filter goes back to page 1.
 */
export function useUrlState<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(keys.map((k) => [k, params.get(k) ?? ""])) as Record<K, string>;
  const page = Math.max(1, Number(params.get("page")) || 1);
  return {
    values,
    page,
    set(changes: Partial<Record<K, string | null>>) {
      const next = new URLSearchParams(params);
      for (const [k, v] of Object.entries(changes) as Array<[K, string | null | undefined]>) {
        if (v) next.set(k, v);
        else next.delete(k);
      }
      next.delete("page");
      setParams(next, { replace: true });
    },
    setPage(p: number) {
      const next = new URLSearchParams(params);
      if (p > 1) next.set("page", String(p));
      else next.delete("page");
      setParams(next);
    },
  };
}
