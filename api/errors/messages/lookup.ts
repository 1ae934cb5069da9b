/**
 * Accept-Language → one of our locales, by RFC 4647 lookup: ranges are tried from the highest
 * q-value down (equal q-values in the order the caller wrote them), each range from most to least
 * specific (`zh-Hans-CN`, `zh-Hans`, `zh`); a bare language falls back to its default region.
 */
import { DEFAULT_LOCALE, LANGUAGE_DEFAULTS, LOCALES, type Locale } from "./locales.js";

const BY_LOWER_CASE: ReadonlyMap<string, Locale> = new Map(LOCALES.map((l) => [l.toLowerCase(), l]));
const LANGUAGE_RANGE = /^(?:\*|[a-z]{1,8}(?:-[a-z0-9]{1,8})*)$/;
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

interface Range {
  readonly tag: string;
  readonly q: number;
  readonly order: number;
}

/**
 * The locale to answer in for an `Accept-Language` value; an empty value means {@link DEFAULT_LOCALE}.
 * `*` stands for any language: when no more specific range yields a locale, it yields the first
 * of {@link LOCALES} that the caller does not refuse. A locale is refused when the most specific
 * range matching it (RFC 4647 basic filtering: `en` matches `en-US`, `*` matches all) has `q=0`.
 * Undefined when nothing acceptable is supported. Only the first {@link MAX_HEADER_ENTRIES} ranges count.
 */
export function lookupLocale(header: string): Locale | undefined {
  if (header.trim() === "") return DEFAULT_LOCALE;
  const ranges = parseRanges(header);
  const acceptable = (locale: Locale) => qualityFor(ranges, locale) !== 0;
  let anyLanguage = false;
  for (const range of ranges.filter((r) => r.q > 0).sort((a, b) => b.q - a.q || a.order - b.order)) {
    if (range.tag === "*") {
      anyLanguage = true;
      continue;
    }
    const found = lookupRange(range.tag);
    if (found !== undefined && acceptable(found)) return found;
  }
  return anyLanguage ? LOCALES.find(acceptable) : undefined;
}

/**
 * The q-value the caller gives a locale: that of the most specific range matching it (RFC 9110
 * §12.5.4), the first written among equally specific ones; undefined when no range matches it.
 */
function qualityFor(ranges: readonly Range[], locale: Locale): number | undefined {
  const tag = locale.toLowerCase();
  let best: { q: number; specificity: number } | undefined;
  for (const range of ranges) {
    const specificity = range.tag === "*" ? 0 : tag === range.tag || tag.startsWith(`${range.tag}-`) ? range.tag.split("-").length : -1;
    if (specificity >= 0 && (best === undefined || specificity > best.specificity)) best = { q: range.q, specificity };
  }
  return best?.q;
}

function lookupRange(tag: string): Locale | undefined {
  // Every locale and language default has at most two subtags, so the lookup starts from the
  // range's first two: a longer candidate never matches, and cutting a long range one subtag at a
  // time would cost the square of its length.
  const [language = "", second] = tag.split("-", 2);
  let candidate = second === undefined ? language : `${language}-${second}`;
  for (;;) {
    const exact = BY_LOWER_CASE.get(candidate);
    if (exact !== undefined) return exact;
    const cut = candidate.lastIndexOf("-");
    if (cut < 0) return LANGUAGE_DEFAULTS.get(candidate);
    candidate = candidate.slice(0, cut);
    // RFC 4647 §3.4: a singleton (`x` in `de-x-foo`) never ends a candidate.
    if (candidate.length >= 2 && candidate[candidate.length - 2] === "-") candidate = candidate.slice(0, -2);
  }
}

function parseRanges(header: string): Range[] {
  const ranges: Range[] = [];
  let order = 0;
  for (const item of headerEntries(header)) {
    const [rawTag = "", ...parameters] = item.split(";");
    const tag = rawTag.trim().toLowerCase();
    if (!LANGUAGE_RANGE.test(tag)) continue;
    const q = qualityOf(parameters);
    if (q !== undefined) ranges.push({ tag, q, order: order++ });
  }
  return ranges;
}

/**
 * How many entries of `Accept` or `Accept-Language` are judged; later ones are ignored. Matching
 * compares entries with each other, so without a bound a header of repeated entries would cost the
 * square of its size.
 */
export const MAX_HEADER_ENTRIES = 32;

/**
 * The first `max` non-empty entries of a comma-separated header value (RFC 9110 §5.6.1: empty
 * entries are ignored), found in one pass that stops there, so the work is linear in the header
 * and the rest of a long one is never looked at.
 */
export function headerEntries(header: string, max = MAX_HEADER_ENTRIES): string[] {
  const entries: string[] = [];
  for (let from = 0; entries.length < max && from <= header.length; ) {
    const comma = header.indexOf(",", from);
    const end = comma < 0 ? header.length : comma;
    const entry = header.slice(from, end);
    if (entry.trim() !== "") entries.push(entry);
    from = end + 1;
  }
  return entries;
}

/** The `q` parameter's value (1 when absent); undefined when it is malformed, so the range is ignored. */
export function qualityOf(parameters: readonly string[]): number | undefined {
  for (const parameter of parameters) {
    const [name = "", value = ""] = parameter.split("=", 2);
    if (name.trim().toLowerCase() !== "q") continue;
    const trimmed = value.trim();
    return QVALUE.test(trimmed) ? Number(trimmed) : undefined;
  }
  return 1;
}
