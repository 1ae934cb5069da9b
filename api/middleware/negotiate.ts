/**
 * Content negotiation: which media type and which locale a request is answered in, chosen once per
 * request from `Accept` and `Accept-Language`, and the one place a body is written in them.
 */
import { XMLBuilder } from "fast-xml-parser";
import { MEDIA_TYPES, type MediaType } from "../media-types.js";
import type { Context, Middleware } from "../state.js";
import { ApiError, type ErrorDetail } from "../errors/catalog.js";
import { headerEntries, lookupLocale, qualityOf } from "../errors/messages/lookup.js";
import { DEFAULT_LOCALE, type Locale } from "../errors/messages/locales.js";

export { MEDIA_TYPES, type MediaType };

/** Parsed header values kept per distinct value: callers send few distinct ones. */
const CACHE_LIMIT = 512;
const CACHEABLE_LENGTH = 256;

/**
 * Chooses the media type and locale, stores them on `ctx.state` (`mediaType`, `locale`) and sets
 * `Content-Language`. 406-101 (answered in JSON) when no acceptable media type is available;
 * 406-100 (answered in en-US) when no acceptable language is supported.
 */
export function negotiate(): Middleware {
  return async function negotiateMiddleware(ctx, next) {
    const mediaType = mediaTypeFor(ctx.get("Accept"));
    if (mediaType === undefined) throw new ApiError("406-101", [{ key: "header", value: "Accept" }]);
    ctx.state.mediaType = mediaType;
    const locale = localeFor(ctx.get("Accept-Language"));
    if (locale === undefined) throw new ApiError("406-100", [{ key: "header", value: "Accept-Language" }]);
    ctx.state.locale = locale;
    ctx.set("Content-Language", locale);
    await next();
  };
}

const mediaTypeFor = memoize(chooseMediaType);
const localeFor = memoize(lookupLocale);

/** The negotiated media type and locale, or the defaults when negotiation did not get that far. */
export function negotiated(ctx: Context): { readonly mediaType: MediaType; readonly locale: Locale } {
  return { mediaType: ctx.state.mediaType ?? MEDIA_TYPES[0], locale: ctx.state.locale ?? DEFAULT_LOCALE };
}

/**
 * The media type to answer with for an `Accept` value (RFC 9110 §12.5.1), among `available` (all
 * of {@link MEDIA_TYPES} unless narrowed): each takes the q-value of the most specific range that
 * matches it; the highest q wins, then the more specific match, then the range the caller wrote
 * first, then the order of `available`. An empty value means the first available type. Only the
 * first 32 ranges count (`MAX_HEADER_ENTRIES`).
 */
export function chooseMediaType(header: string, available: readonly MediaType[] = MEDIA_TYPES): MediaType | undefined {
  if (header.trim() === "") return available[0];
  const ranges = parseMediaRanges(header);
  let best: { type: MediaType; q: number; specificity: number; order: number } | undefined;
  for (const type of available) {
    const match = mostSpecificMatch(ranges, type);
    if (match === undefined || match.q === 0) continue;
    if (best === undefined || match.q > best.q || (match.q === best.q && (match.specificity > best.specificity || (match.specificity === best.specificity && match.order < best.order)))) {
      best = { type, ...match };
    }
  }
  return best?.type;
}

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
  readonly order: number;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

function parseMediaRanges(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  let order = 0;
  for (const item of headerEntries(header)) {
    const [rawRange = "", ...parameters] = item.split(";");
    const [type = "", subtype = "", extra] = rawRange.trim().toLowerCase().split("/");
    if (extra !== undefined || !TOKEN.test(type) || !TOKEN.test(subtype) || (type === "*" && subtype !== "*")) continue;
    const q = qualityOf(parameters);
    if (q !== undefined) ranges.push({ type, subtype, q, order: order++ });
  }
  return ranges;
}

function mostSpecificMatch(ranges: readonly MediaRange[], mediaType: MediaType): { q: number; specificity: number; order: number } | undefined {
  const [type, subtype] = mediaType.split("/") as [string, string];
  let found: { q: number; specificity: number; order: number } | undefined;
  for (const range of ranges) {
    const specificity = range.type === type && range.subtype === subtype ? 2 : range.type === type && range.subtype === "*" ? 1 : range.type === "*" ? 0 : -1;
    if (specificity < 0) continue;
    if (found === undefined || specificity > found.specificity) found = { q: range.q, specificity, order: range.order };
  }
  return found;
}

/** A body before serialization: scalar fields, and the error's `details` list; undefined fields are left out. */
export type Representation = Readonly<Record<string, string | number | boolean | null | undefined | readonly ErrorDetail[]>>;

/** The root element of each kind of body. */
export type RepresentationRoot = "attachment" | "error" | "revocation";

// suppressBooleanAttributes would write `xsi:nil="true"` as a bare `xsi:nil`, which XML does not allow.
const XML = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: true, suppressBooleanAttributes: false });
const XML_DECLARATION = { "@_version": "1.0", "@_encoding": "UTF-8" };
/** The namespace of `xsi:nil`, declared on the root of a body that has a null field. */
export const XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance";
// XML 1.0 cannot carry these code points even escaped (C0 controls, lone surrogates, U+FFFE/FFFF).
const NOT_XML_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Writes a body in the negotiated media type: JSON as is; XML as `<root>` with one element per
 * field (`details` as `<detail><key/><value/></detail>` items). XML text cannot tell null from "",
 * so null is `<field xsi:nil="true"/>` and "" an empty element without it.
 */
export function represent(ctx: Context, root: RepresentationRoot, value: Representation): void {
  if (negotiated(ctx).mediaType === "application/xml") {
    ctx.type = "application/xml; charset=utf-8";
    ctx.body = XML.build({ "?xml": XML_DECLARATION, [root]: xmlElements(value) });
  } else {
    ctx.type = "application/json; charset=utf-8";
    ctx.body = JSON.stringify(value);
  }
}

function xmlElements(value: Representation): Record<string, unknown> {
  const elements: Record<string, unknown> = {};
  let hasNil = false;
  for (const [name, field] of Object.entries(value)) {
    if (field === undefined) continue;
    if (field === null) {
      elements[name] = { "@_xsi:nil": "true" };
      hasNil = true;
    } else if (Array.isArray(field)) elements[name] = { detail: field.map((d: ErrorDetail) => ({ key: xmlText(d.key), value: xmlText(d.value) })) };
    else elements[name] = typeof field === "string" ? xmlText(field) : field;
  }
  return hasNil ? { "@_xmlns:xsi": XSI_NAMESPACE, ...elements } : elements;
}

function xmlText(text: string): string {
  return text.replace(NOT_XML_CHARACTER, "\uFFFD");
}

function memoize<T>(parse: (header: string) => T): (header: string) => T {
  const cache = new Map<string, T>();
  return (header) => {
    if (header.length > CACHEABLE_LENGTH) return parse(header);
    if (cache.has(header)) return cache.get(header) as T;
    const value = parse(header);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(header, value);
    return value;
  };
}
