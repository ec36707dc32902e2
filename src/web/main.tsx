import "./zod-config.ts";
import "@mantine/core/styles.css";
import "./i18n/index.ts";
import { createTheme, MantineProvider } from "@mantine/core";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ApiError } from "./api.ts";
import { App } from "./app/App.tsx";
import { SessionProvider, sessionExpiredEvent } from "./app/session.tsx";

// Chinese text needs a CJK font; Noto Sans CJK is what Debian and most office machines have.
const fontFamily =
  '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "Source Han Sans SC", sans-serif';
const theme = createTheme({ fontFamily, headings: { fontFamily }, primaryColor: "blue", focusRing: "auto" });

function announceExpiry(error: unknown): void {
  if (error instanceof ApiError && error.status === 401) window.dispatchEvent(new Event(sessionExpiredEvent));
}

const client = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // A refusal or a missing record will not change by asking again.
      retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
  // A session that ended while the user worked: sign in again over the screen, which stays as it
  // was (a form keeps what was typed, and can be saved once signed in).
  queryCache: new QueryCache({ onError: announceExpiry }),
  mutationCache: new MutationCache({ onError: announceExpiry }),
});

const root = document.getElementById("root");
if (root)
  createRoot(root).render(
    <StrictMode>
      <MantineProvider theme={theme}>
        <QueryClientProvider client={client}>
          <SessionProvider>
            <App />
          </SessionProvider>
        </QueryClientProvider>
      </MantineProvider>
    </StrictMode>,
  );
