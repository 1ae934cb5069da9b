/**
 * The JSON Schemas of the OpenAPI document: the request body exactly as `predownload/schema.ts`
 * checks it, the attachment answer and the error body. Patterns are the validation's own: ECMA-262
 * without flags, meaning the same with the Unicode flag.
 */
import { ATTACHMENT_APPS, ATTACHMENT_TYPES } from "../../../shared/domain/attachment.js";
import { ERROR_CODES } from "../../errors/catalog.js";
import { XSI_NAMESPACE } from "../../middleware/negotiate.js";
import { PLAIN_TEXT, SEED_NAME, WELL_FORMED } from "../predownload/schema.js";

const NO_CONTROL = PLAIN_TEXT.source;

const text = (maxLength: number, description: string) => ({ type: "string", maxLength, pattern: NO_CONTROL, description });
/** Like `text`, or null: the fields a 200 body may carry as null, so that it can be posted back. */
const nullableText = (maxLength: number, description: string) => ({ ...text(maxLength, description), type: ["string", "null"] });
const dateTime = (description: string) => ({ type: "string", format: "date-time", description });
/** In XML, null is `<field xsi:nil="true"/>` (the root then declares `xmlns:xsi`) and "" an empty element. */
const nullable = (description: string) => ({ type: ["string", "null"], description: `${description}; in XML, null is an element with xsi:nil="true", "" an empty element` });

/** The request body: the seed's Attachment; `app`, `type` and `altId` required, nothing else allowed. */
export const PREDOWNLOAD_REQUEST = {
  type: "object",
  additionalProperties: false,
  required: ["app", "type", "altId"],
  properties: {
    link: {
      type: "object",
      additionalProperties: false,
      description: "Self link that can be used to retrieve this attachment",
      properties: { rel: text(64, "Link relation"), href: text(2048, "Link target") },
    },
    fileName: text(1024, "File name of the attachment"),
    name: { type: "string", minLength: 1, maxLength: 255, pattern: SEED_NAME.source, description: "Name of file with extension" },
    contentType: text(255, "Mime-type of the attachment"),
    size: { type: "integer", format: "int64", minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: "Attachment size in bytes" },
    app: { type: "string", enum: [...ATTACHMENT_APPS], description: "Application type" },
    type: { type: "string", enum: [...ATTACHMENT_TYPES], description: "Attachment type" },
    signedUrlExpiry: dateTime("Asks for an earlier expiry of the signed URL (UTC); clamped to the configured lifetime; one already past by more than the clock tolerance is refused (400-152)"),
    encodingType: nullableText(64, "Content-transfer-encoding of the attachment"),
    charset: nullableText(64, "Character-set encoding of the attachment"),
    blocked: { type: "boolean", description: "Field to convey if the attachment is blocked" },
    inline: { type: "boolean", description: "Field to convey if the attachment is an inline attachment" },
    contentId: nullableText(1024, "Cid of the inline attachment"),
    contentUrl: text(4096, "Url of the content"),
    created: dateTime("Created time in GMT"),
    content: { type: "string", maxLength: 16384, pattern: WELL_FORMED.source, description: "Content of the attachment" },
    messageText: text(4096, "Informational text about the attachment"),
    id: text(128, "ID of the attachment"),
    altId: { type: "string", minLength: 1, maxLength: 128, pattern: NO_CONTROL, description: "Alternate ID of the attachment" },
  },
} as const;

/** The 200 body. A blocked attachment has `messageText` and neither `contentUrl` nor `signedUrlExpiry`. */
export const ATTACHMENT = {
  type: "object",
  additionalProperties: false,
  description:
    'In XML, one element per field in the JSON order; a null field is `<field xsi:nil="true"/>` and the root then declares ' +
    `\`xmlns:xsi="${XSI_NAMESPACE}"\`; an empty string is an empty element without it.`,
  xml: { name: "attachment" },
  required: ["id", "altId", "app", "type", "fileName", "name", "contentType", "size", "encodingType", "charset", "inline", "contentId", "blocked", "created"],
  properties: {
    id: { type: "string", description: "ID of the attachment" },
    altId: { type: "string", description: "Alternate ID of the attachment" },
    app: { type: "string", enum: [...ATTACHMENT_APPS] },
    type: { type: "string", enum: [...ATTACHMENT_TYPES] },
    fileName: { type: "string", description: "File name of the attachment" },
    name: { type: "string", description: "Name of file with extension" },
    contentType: { type: "string", description: "Mime-type of the attachment" },
    size: { type: "integer", format: "int64", minimum: 0, description: "Attachment size in bytes" },
    encodingType: nullable("Content-transfer-encoding of the attachment"),
    charset: nullable("Character-set encoding of the attachment"),
    inline: { type: "boolean" },
    contentId: nullable("Cid of the inline attachment"),
    blocked: { type: "boolean", description: "True when the attachment is blocked: then no URL is issued" },
    created: { type: "string", format: "date-time", description: "Created time (UTC)" },
    contentUrl: { type: "string", format: "uri", description: "Signed GET URL of the content; the download is forced under the stored file name" },
    signedUrlExpiry: { type: "string", format: "date-time", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$", description: "When contentUrl stops working (UTC, milliseconds)" },
    messageText: { type: "string", description: "Why no URL was issued, in the response's Content-Language" },
  },
  if: { properties: { blocked: { const: true } } },
  then: { required: ["messageText"], properties: { messageText: { type: "string" }, contentUrl: false, signedUrlExpiry: false } },
  else: { required: ["contentUrl", "signedUrlExpiry"], properties: { contentUrl: { type: "string" }, signedUrlExpiry: { type: "string" }, messageText: false } },
} as const;

/** The one error body. */
export const ERROR = {
  type: "object",
  additionalProperties: false,
  xml: { name: "error" },
  required: ["code", "developerMessage", "details"],
  properties: {
    code: { type: "string", enum: [...ERROR_CODES], pattern: "^\\d{3}-\\d{3}$", description: "`<status>-<number>`, unique per error" },
    developerMessage: { type: "string", minLength: 1, description: "What went wrong and how to fix the request, in the response's Content-Language" },
    details: {
      type: "array",
      xml: { wrapped: true },
      description: "The offending attribute, parameter, header or missing action",
      items: {
        type: "object",
        additionalProperties: false,
        xml: { name: "detail" },
        required: ["key", "value"],
        properties: { key: { type: "string" }, value: { type: "string" } },
      },
    },
    userMessage: { type: "string", minLength: 1, description: "For end users; only when the request has `X-egain-error-message: yes`" },
  },
} as const;

const DIRECTORY_KIND = { enum: ["department", "user", "customer", "client", "activity", "attachment"] };

/** A directory record as `GET`/`PUT /directory/{kind}/{id}` answer it. */
export const DIRECTORY_RECORD = {
  type: "object",
  additionalProperties: false,
  required: ["kind", "id", "version", "record"],
  properties: {
    kind: DIRECTORY_KIND,
    id: { type: "string", minLength: 1, maxLength: 128 },
    version: { type: ["integer", "null"], minimum: 0, maximum: 9007199254740991, description: "null when the record has none" },
    record: { type: "object", description: "The record as stored: the NDJSON line's fields with defaults filled in, without kind and version" },
  },
};

const PER_KIND = { type: "object", propertyNames: DIRECTORY_KIND, additionalProperties: { type: "integer", minimum: 0 } };

/** What `POST /directory/import` did. */
export const IMPORT_COUNTS = {
  type: "object",
  additionalProperties: false,
  required: ["upserted", "deleted", "unchanged", "stale"],
  properties: {
    upserted: PER_KIND,
    deleted: PER_KIND,
    unchanged: { type: "integer", minimum: 0, description: "records whose version equals the stored one: nothing written" },
    stale: { type: "integer", minimum: 0, description: "records older than the stored version (or its tombstone): skipped" },
  },
};

/** The body of `POST /assets/revocations`: exactly one target. */
export const REVOCATION_REQUEST = {
  type: "object",
  description: "Exactly one of grant, altId or actor",
  oneOf: [
    { type: "object", additionalProperties: false, required: ["grant"], properties: { grant: { type: "string", maxLength: 256, description: "The grant: the last path segment of a contentUrl" } } },
    { type: "object", additionalProperties: false, required: ["altId"], properties: { altId: text(256, "Every grant of this attachment") } },
    {
      type: "object",
      additionalProperties: false,
      required: ["actor"],
      properties: {
        actor: {
          type: "object",
          additionalProperties: false,
          required: ["type", "id"],
          description: "Every grant issued to this actor",
          properties: { type: { type: "string", enum: ["user", "customer", "client"] }, id: text(256, "The actor's id") },
        },
      },
    },
  ],
} as const;

/** The answer of `POST /assets/revocations`. */
export const REVOCATION = {
  type: "object",
  additionalProperties: false,
  xml: { name: "revocation" },
  required: ["revoked"],
  properties: { revoked: { type: "integer", minimum: 0, description: "Live grants made unusable where they can be counted: 0 or 1 for a grant, 0 for an attachment or an actor (revoked by raising an epoch)" } },
} as const;
