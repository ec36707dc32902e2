import { useEffect, useState } from "react";

/**
 * True once `ready` has been true and the browser has had an idle moment since: for parts of a
 * screen that may wait until what it is for has been drawn (a chart's library is fetched after
 * the figures show, not before them).
 */
export function useIdleAfter(ready: boolean): boolean {
  const [idle, setIdle] = useState(false);
  useEffect(() => {
    if (!ready || idle) return;
    if (typeof window.requestIdleCallback === "function") {
      const handle = window.requestIdleCallback(() => setIdle(true), { timeout: 1000 });
      return () => window.cancelIdleCallback(handle);
    }
    const timer = window.setTimeout(() => setIdle(true), 50);
    return () => window.clearTimeout(timer);
  }, [ready, idle]);
  return idle;
}
