import { Alert, Button, Center, Loader, Stack, Text } from "@mantine/core";
import { type ComponentType, lazy, useSyncExternalStore } from "react";
import { useTranslation } from "react-i18next";

/**
 * Loading screens on first opening, through a connection that may drop: a failed download is
 * retried every few seconds (or at once, on the user's word) until the server answers again,
 * and the screen then appears by itself, with nothing the user did lost.
 */
let failed = false;
const listeners = new Set<() => void>();
let retryNow: (() => void) | null = null;

function setFailed(value: boolean): void {
  if (failed === value) return;
  failed = value;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      retryNow = null;
      resolve();
    }
    retryNow = done;
  });
}

/** Whether the server answers at all (any HTTP answer counts: the connection is back). */
async function serverAnswers(): Promise<boolean> {
  try {
    await fetch("/health/live", { cache: "no-store" });
    return true;
  } catch {
    return false;
  }
}

/** A screen loaded when first opened, retried until the connection returns. */
export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  return lazy(async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        const screen = await load();
        setFailed(false);
        return { default: screen };
      } catch (error) {
        setFailed(true);
        // The server is back but the browser keeps the failed download: a fresh page loads it.
        if (attempt > 0 && (await serverAnswers())) {
          window.location.reload();
          throw error;
        }
        await pause(Math.min(2000 * 2 ** attempt, 15_000));
      }
    }
  });
}

/** What shows while a screen loads: a spinner, or the connection error with a retry. */
export function ScreenFallback() {
  const { t } = useTranslation();
  const isFailed = useSyncExternalStore(subscribe, () => failed);
  if (!isFailed)
    return (
      <Center py="xl">
        <Loader size="sm" />
      </Center>
    );
  return (
    <Center py="xl">
      <Alert color="orange" title={t("errors.NETWORK")} role="alert" data-testid="screen-offline" maw={520}>
        <Stack gap="xs">
          <Text size="sm">{t("common.reconnecting")}</Text>
          <Button size="xs" variant="light" onClick={() => retryNow?.()}>
            {t("common.retry")}
          </Button>
        </Stack>
      </Alert>
    </Center>
  );
}
