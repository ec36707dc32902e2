import { SegmentedControl } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { api } from "../api.ts";
import { applyLocale, type Locale } from "../i18n/index.ts";

/** 中文 | English; for a signed-in user the choice is kept on the server. */
export function LanguageToggle({ signedIn = false, compact = false }: { signedIn?: boolean; compact?: boolean }) {
  const { t, i18n } = useTranslation();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t("app.language")}
      value={i18n.language.startsWith("zh") ? "zh-CN" : "en"}
      data={[
        { value: "zh-CN", label: compact ? "中" : "中文" },
        { value: "en", label: compact ? "EN" : "English" },
      ]}
      onChange={(value) => {
        applyLocale(value as Locale);
        if (signedIn) api("/auth/preferences", { method: "PUT", body: { locale: value } }).catch(() => {});
      }}
    />
  );
}
