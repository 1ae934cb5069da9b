/**
 * The request body: the seed's Attachment schema. `app`, `type` and `altId` are required; the
 * other seed fields are optional and type-checked; no coercion; any other property is refused.
 * `contentId`, `encodingType` and `charset` may also be null, as a 200 body carries them, so that
 * a caller can post an answer's fields back.
 */
import * as yup from "yup";
import { ATTACHMENT_APPS, ATTACHMENT_TYPES } from "../../../shared/domain/attachment.js";
import { isCalendarDate } from "../../../shared/domain/directory.js";
import { ApiError, type ErrorCode, type ErrorDetail } from "../../errors/catalog.js";

/*
 * The patterns are ECMA-262 without flags and mean the same with the Unicode flag, so that the
 * OpenAPI document can publish their sources (JSON Schema validators differ on the flag): a
 * surrogate pair is matched as a pair without it, as one code point outside the excluded ranges
 * with it, and a lone surrogate never matches either way.
 */
/** Text without control characters, and well-formed UTF-16 (a lone surrogate has no UTF-8 form). */
// eslint-disable-next-line no-control-regex
export const PLAIN_TEXT = /^(?:[^\u0000-\u001f\u007f-\u009f\u2028\u2029\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;
/** Well-formed UTF-16, control characters allowed. */
export const WELL_FORMED = /^(?:[^\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;
/**
 * The seed's `name` pattern: letters, digits, `@`, space, `:`, `.`, `_`, `-`, `&` and any
 * character from U+00A0 up (the seed's `[\x80-\xFF]` read as "non-ASCII", C1 controls left out).
 */
// eslint-disable-next-line no-control-regex
export const SEED_NAME = /^(?:[a-zA-Z0-9@ :._&-]|[^\u0000-\u009f\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])+$/;
const INT64_MAX = Number.MAX_SAFE_INTEGER;
/** Longest accepted date-time: ISO 8601 with nanoseconds and an offset is 35 characters. */
const MAX_DATE_TIME_LENGTH = 64;
/**
 * yup's default type message prints the offending value, recursively: a value nested a few
 * thousand levels deep would overflow the stack while the message is built. This one names only
 * the attribute.
 */
const WRONG_TYPE = "${path} has the wrong type";

const text = (max: number) => yup.string().typeError(WRONG_TYPE).max(max).matches(PLAIN_TEXT);
/** yup's `datetime` checks the form only: `2026-02-30T00:00:00Z` would be taken as March 2. */
const dateTime = () =>
  yup
    .string()
    .typeError(WRONG_TYPE)
    .max(MAX_DATE_TIME_LENGTH)
    .datetime({ allowOffset: true })
    .test("calendar-date", "${path} is not a day of the calendar", (value) => typeof value !== "string" || (isCalendarDate(value) && !Number.isNaN(Date.parse(value))));

export const predownloadSchema = yup
  .object({
    link: yup.object({ rel: text(64), href: text(2048) }).typeError(WRONG_TYPE).noUnknown().strict().default(undefined),
    fileName: text(1024),
    name: yup.string().typeError(WRONG_TYPE).min(1).max(255).matches(SEED_NAME),
    contentType: text(255),
    size: yup.number().typeError(WRONG_TYPE).integer().min(0).max(INT64_MAX),
    app: yup.string().typeError(WRONG_TYPE).oneOf(ATTACHMENT_APPS).required(),
    type: yup.string().typeError(WRONG_TYPE).oneOf(ATTACHMENT_TYPES).required(),
    signedUrlExpiry: dateTime(),
    encodingType: text(64).nullable(),
    charset: text(64).nullable(),
    blocked: yup.boolean().typeError(WRONG_TYPE),
    inline: yup.boolean().typeError(WRONG_TYPE),
    contentId: text(1024).nullable(),
    contentUrl: text(4096),
    created: dateTime(),
    content: yup.string().typeError(WRONG_TYPE).max(16384).matches(WELL_FORMED),
    messageText: text(4096),
    id: text(128),
    altId: text(128).min(1).required(),
  })
  .noUnknown()
  .strict();

export type PredownloadRequest = yup.InferType<typeof predownloadSchema>;

/** Validates a parsed body. @throws ApiError 400-104, 400-105 or 400-152 naming every offending attribute. */
export function validatePredownload(body: unknown): PredownloadRequest {
  try {
    return predownloadSchema.validateSync(body, { abortEarly: false, stripUnknown: false });
  } catch (error) {
    if (!(error instanceof yup.ValidationError)) throw error;
    throw toApiError(error);
  }
}

const PRIORITY: readonly ErrorCode[] = ["400-104", "400-105", "400-152"];

function toApiError(error: yup.ValidationError): ApiError {
  const found = new Map<ErrorCode, ErrorDetail[]>();
  for (const inner of error.inner.length > 0 ? error.inner : [error]) {
    const code: ErrorCode = inner.type === "optionality" ? "400-104" : inner.type === "noUnknown" ? "400-105" : "400-152";
    const names = inner.type === "noUnknown" ? unknownNames(inner) : [inner.path ?? ""];
    const list = found.get(code) ?? [];
    for (const name of names) if (!list.some((d) => d.value === name)) list.push({ key: "attribute", value: name });
    found.set(code, list);
  }
  const code = PRIORITY.find((c) => found.has(c)) ?? "400-152";
  return new ApiError(code, found.get(code));
}

function unknownNames(error: yup.ValidationError): string[] {
  const unknown = (error.params as { unknown?: unknown } | undefined)?.unknown;
  const prefix = error.path ? `${error.path}.` : "";
  return typeof unknown === "string" ? unknown.split(", ").map((name) => prefix + name) : [error.path ?? ""];
}
