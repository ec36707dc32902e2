import { Alert, Center, Loader, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api.ts";

/** The message of an API error in the reader's language: by its code, with the server's words as detail. */
export function useErrorMessage() {
  const { t, i18n } = useTranslation();
  return (error: unknown): string => {
    if (error instanceof ApiError && error.reason) return i18n.language.startsWith("zh") ? error.reason.zh : error.reason.en;
    if (error instanceof ApiError) {
      const known = t(`errors.${error.code}`, { defaultValue: "" });
      return known || t("errors.INTERNAL");
    }
    return t("errors.INTERNAL");
  };
}

/** Loading, failed or empty: every screen shows one of these rather than a blank page. */
/** What a screen says to someone whose roles do not open it: not an error, a fact. */
export function NoAccess() {
  const { t } = useTranslation();
  return (
    <Alert color="gray" title={t("common.noAccess")} data-testid="no-access">
      <Text size="sm">{t("common.noAccessHow")}</Text>
    </Alert>
  );
}

export function QueryState({ isLoading, error, isEmpty }: { isLoading: boolean; error: unknown; isEmpty?: boolean }) {
  const { t } = useTranslation();
  const message = useErrorMessage();
  if (isLoading)
    return (
      <Center py="xl" aria-live="polite">
        <Loader size="sm" aria-label={t("common.loading")} />
      </Center>
    );
  if (error instanceof ApiError && error.status === 403) return <NoAccess />;
  if (error)
    return (
      <Alert color="red" title={t("common.error")} role="alert">
        <Stack gap={4}>
          <Text size="sm">{message(error)}</Text>
          {error instanceof ApiError && error.code !== "INTERNAL" && !error.reason ? (
            <Text size="xs" c="dimmed">
              {error.message}
            </Text>
          ) : null}
        </Stack>
      </Alert>
    );
  if (isEmpty)
    return (
      <Text c="dimmed" py="md" ta="center">
        {t("common.empty")}
      </Text>
    );
  return null;
}
