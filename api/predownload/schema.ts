/**
 * The request body: the seed's Attachment schema. `app`, `type` and `altId` are required; the
 * other seed fields are optional and type-checked; no coercion; any other property is refused.
 */
import * as yup from "yup";
import { ATTACHMENT_APPS, ATTACHMENT_TYPES } from "../../shared/attachment.js";
import { ApiError, type ErrorCode, type ErrorDetail } from "../../shared/errors.js";

// eslint-disable-next-line no-control-regex
const NO_CONTROL = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;
/** The seed's `name` pattern: letters, digits, `@`, space, `:`, `.`, `_`, `-`, `&` and non-ASCII. */
const SEED_NAME = /^[a-zA-Z0-9@ :._\-&\u00a0-\u{10ffff}]+$/u;
const INT64_MAX = Number.MAX_SAFE_INTEGER;

const text = (max: number) => yup.string().max(max).matches(NO_CONTROL, { excludeEmptyString: true });
const dateTime = () => yup.string().datetime({ allowOffset: true });

export const predownloadSchema = yup
  .object({
    link: yup.object({ rel: text(64), href: text(2048) }).noUnknown().strict().default(undefined),
    fileName: text(1024),
    name: yup.string().min(1).max(255).matches(SEED_NAME),
    contentType: text(255),
    size: yup.number().integer().min(0).max(INT64_MAX),
    app: yup.string().oneOf(ATTACHMENT_APPS).required(),
    type: yup.string().oneOf(ATTACHMENT_TYPES).required(),
    signedUrlExpiry: dateTime(),
    encodingType: text(64),
    charset: text(64),
    blocked: yup.boolean(),
    inline: yup.boolean(),
    contentId: text(1024),
    contentUrl: text(4096),
    created: dateTime(),
    content: yup.string().max(16384),
    messageText: text(4096),
    id: text(128),
    altId: yup.string().min(1).max(128).matches(NO_CONTROL).required(),
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
