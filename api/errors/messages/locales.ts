/** The locales every message exists in: the seed's 15, with en-US the default. */
export const LOCALES = ["en-US", "es-ES", "fr-FR", "it-IT", "de-DE", "nl-NL", "pt-BR", "pt-PT", "da-DK", "ru-RU", "fr-CA", "zh-CN", "ja-JP", "ko-KR", "sv-SE"] as const;
export type Locale = (typeof LOCALES)[number];

/** The locale of an answer when the caller names none, and of every 406. */
export const DEFAULT_LOCALE: Locale = "en-US";

/**
 * The locale a bare language tag (`fr`) or a region we do not serve (`fr-BE`) falls back to:
 * the region with the most speakers among our locales, or the only one.
 */
export const LANGUAGE_DEFAULTS: ReadonlyMap<string, Locale> = new Map<string, Locale>([
  ["en", "en-US"],
  ["es", "es-ES"],
  ["fr", "fr-FR"],
  ["it", "it-IT"],
  ["de", "de-DE"],
  ["nl", "nl-NL"],
  ["pt", "pt-BR"],
  ["da", "da-DK"],
  ["ru", "ru-RU"],
  ["zh", "zh-CN"],
  ["ja", "ja-JP"],
  ["ko", "ko-KR"],
  ["sv", "sv-SE"],
]);
