import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useContext, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Preferences, SessionOutput } from "../../core/auth/schema.ts";
import { ApiError, api, setCsrfToken } from "../api.ts";
import { applyLocale } from "../i18n/index.ts";

/** Dispatched on window when the API answers 401 to a signed-in screen. */
export const sessionExpiredEvent = "liaison:session-expired";

interface SessionValue {
  session: SessionOutput | null;
  /** The session ended while the user was working: sign in again, keeping the screen. */
  expired: boolean;
  signedIn(session: SessionOutput): void;
  signOut(): Promise<void>;
  /** The user's roles, strongest first, for showing only what they may do (the server decides). */
  can(action: "write" | "coordinate" | "administer"): boolean;
}

const SessionContext = createContext<SessionValue | null>(null);

/** The session of the person at the keyboard: who, with which roles, and the CSRF token. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const { i18n } = useTranslation();
  const { data, isLoading } = useQuery({
    queryKey: ["session"],
    queryFn: async () => {
      try {
        return await api<SessionOutput>("/auth/session");
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 5 * 60_000,
    retry: false,
  });
  const session = data ?? null;
  const [expired, setExpired] = useState(false);
  useEffect(() => {
    const onExpired = () => setExpired(true);
    window.addEventListener(sessionExpiredEvent, onExpired);
    return () => window.removeEventListener(sessionExpiredEvent, onExpired);
  }, []);
  useEffect(() => {
    if (session) setCsrfToken(session.csrfToken);
  }, [session]);
  // The language follows the user, wherever they sign in.
  useEffect(() => {
    if (!session) return;
    api<Preferences>("/auth/preferences")
      .then((p) => {
        if (p.locale && p.locale !== i18n.language) applyLocale(p.locale);
      })
      .catch(() => {});
  }, [session, i18n]);
  if (isLoading) return null;
  const roles = new Set(session?.roles.map((r) => r.role) ?? []);
  const value: SessionValue = {
    session,
    expired: expired && session !== null,
    signedIn(next) {
      setCsrfToken(next.csrfToken);
      client.setQueryData(["session"], next);
      setExpired(false);
      // What failed for want of a session is fetched again.
      void client.invalidateQueries({ predicate: (q) => q.queryKey[0] !== "session" });
    },
    async signOut() {
      await api("/auth/logout", { method: "POST" }).catch(() => {});
      setCsrfToken("");
      setExpired(false);
      client.clear();
      client.setQueryData(["session"], null);
    },
    can(action) {
      if (roles.has("administrator")) return true;
      if (action === "administer") return false;
      if (action === "coordinate") return roles.has("coordinator");
      return roles.has("coordinator") || roles.has("editor");
    },
  };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The current session; only inside SessionProvider. */
export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}
