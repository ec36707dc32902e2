import "@mantine/core/styles.css";
import "./i18n/index.ts";
import { createTheme, MantineProvider } from "@mantine/core";
import { MutationCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ApiError } from "./api.ts";
import { App } from "./app/App.tsx";
import { SessionProvider } from "./app/session.tsx";

// Chinese text needs a CJK font; Noto Sans CJK is what Debian and most office machines have.
const fontFamily =
  '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "Source Han Sans SC", sans-serif';
const theme = createTheme({ fontFamily, headings: { fontFamily }, primaryColor: "blue", focusRing: "auto" });

const client = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // A refusal or a missing record will not change by asking again.
      retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
  mutationCache: new MutationCache({
    onError: (error) => {
      // A session that ended while the user worked: show the sign-in screen (the form's input stays in its state until then).
      if (error instanceof ApiError && error.status === 401) void client.invalidateQueries({ queryKey: ["session"] });
    },
  }),
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
