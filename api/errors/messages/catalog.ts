/**
 * The message catalog: every locale's messages, and the lookups the API renders with. Messages have
 * named placeholders (`{attribute}`) filled from an error's details.
 */
import type { ErrorCode, ErrorDetail } from "../catalog.js";
import { daDK } from "./da-DK.js";
import { deDE } from "./de-DE.js";
import { enUS } from "./en-US.js";
import { esES } from "./es-ES.js";
import { frCA } from "./fr-CA.js";
import { frFR } from "./fr-FR.js";
import { itIT } from "./it-IT.js";
import { jaJP } from "./ja-JP.js";
import { koKR } from "./ko-KR.js";
import type { Locale } from "./locales.js";
import type { ErrorMessages, Messages } from "./messages.js";
import { nlNL } from "./nl-NL.js";
import { ptBR } from "./pt-BR.js";
import { ptPT } from "./pt-PT.js";
import { ruRU } from "./ru-RU.js";
import { svSE } from "./sv-SE.js";
import { zhCN } from "./zh-CN.js";

/** Every locale's messages; a locale missing here, or a message missing in one, does not compile. */
export const MESSAGES: { readonly [L in Locale]: Messages } = {
  "en-US": enUS,
  "es-ES": esES,
  "fr-FR": frFR,
  "it-IT": itIT,
  "de-DE": deDE,
  "nl-NL": nlNL,
  "pt-BR": ptBR,
  "pt-PT": ptPT,
  "da-DK": daDK,
  "ru-RU": ruRU,
  "fr-CA": frCA,
  "zh-CN": zhCN,
  "ja-JP": jaJP,
  "ko-KR": koKR,
  "sv-SE": svSE,
};

/** The messages of one error in one locale, placeholders filled from its details. */
export function errorMessages(locale: Locale, code: ErrorCode, details: readonly ErrorDetail[]): ErrorMessages {
  const entry = MESSAGES[locale].errors[code];
  return { developerMessage: formatMessage(entry.developerMessage, details), userMessage: formatMessage(entry.userMessage, details) };
}

/** The `messageText` of a blocked attachment in one locale. */
export function blockedMessage(locale: Locale): string {
  return MESSAGES[locale].attachmentBlocked;
}

const PLACEHOLDER = /\{(\w+)\}/g;

/** Fills `{name}` placeholders from details (the first detail of that key); an unknown placeholder stays as written. */
export function formatMessage(template: string, details: readonly ErrorDetail[]): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => details.find((d) => d.key === name)?.value ?? whole);
}

/** The placeholder names a template uses, sorted. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!).sort();
}
