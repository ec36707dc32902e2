import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import { en } from "./en.ts";
import { zh } from "./zh.ts";

export type Locale = "zh-CN" | "en";
const storageKey = "liaison.locale";

/** The language to start in: the one chosen last on this browser, else Chinese when the browser asks for it. */
function initialLocale(): Locale {
  const stored = typeof localStorage === "undefined" ? null : localStorage.getItem(storageKey);
  if (stored === "zh-CN" || stored === "en") return stored;
  const asked = typeof navigator === "undefined" ? [] : (navigator.languages ?? [navigator.language]);
  return asked.some((l) => l.toLowerCase().startsWith("zh")) ? "zh-CN" : "en";
}

/** Switches the interface language (and the page's lang, so that CJK fonts and screen readers follow). */
export function applyLocale(locale: Locale): void {
  void i18n.changeLanguage(locale);
  document.documentElement.lang = locale;
  localStorage.setItem(storageKey, locale);
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, "zh-CN": { translation: zh } },
  lng: initialLocale(),
  fallbackLng: false,
  interpolation: { escapeValue: false },
  returnNull: false,
});
document.documentElement.lang = i18n.language;

export default i18n;
