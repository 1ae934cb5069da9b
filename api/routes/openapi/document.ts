/** The OpenAPI 3.1 document of the service, built once from the catalog, the locales and the schemas. */
import { ERROR_CODES, ERROR_CATALOG, type ErrorCode } from "../../errors/catalog.js";
import { DEFAULT_LOCALE, LOCALES } from "../../errors/messages/locales.js";
import { MEDIA_TYPES, type MediaType } from "../../middleware/negotiate.js";
import { ATTACHMENT, DIRECTORY_RECORD, ERROR, IMPORT_COUNTS, PREDOWNLOAD_REQUEST, REVOCATION, REVOCATION_REQUEST } from "./schemas.js";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const header = (description: string, schema: Record<string, unknown>, required = true) => ({ description, required, schema });

const STANDARD_HEADERS = {
  "X-Request-Id": header("The caller's well-formed X-Request-Id, echoed; otherwise a generated one", { type: "string", pattern: "^[A-Za-z0-9._:-]{1,128}$" }),
  "Cache-Control": header("Answers are never cached", { const: "no-store" }),
  "X-Content-Type-Options": header("Bodies are never sniffed", { const: "nosniff" }),
  "Content-Language": header("The locale of the messages in the body", { type: "string", enum: [...LOCALES] }),
  Vary: header("Answers depend on the negotiated media type and language", { const: "Accept, Accept-Language" }),
};

/** The document's own resource exists in en-US only. */
const DOCUMENT_HEADERS = { ...STANDARD_HEADERS, "Content-Language": header("Always en-US: the document exists in English only", { const: DEFAULT_LOCALE }) };

const EXTRA_HEADERS: Partial<Record<number, Record<string, ReturnType<typeof header>>>> = {
  401: { "WWW-Authenticate": header('`Bearer error="invalid_token"` when a bearer token was presented (401-101, a malformed one included); a bare `Bearer` otherwise (401-104)', { type: "string", enum: ["Bearer", 'Bearer error="invalid_token"'] }) },
  405: { Allow: header("The methods the resource allows", { type: "string" }) },
  429: { "Retry-After": header("Seconds to wait before retrying", { type: "string", pattern: "^\\d+$" }, false) },
  503: { "Retry-After": header("Seconds to wait before retrying", { type: "string", pattern: "^\\d+$" }) },
};

const STATUS_TEXT: Readonly<Record<number, string>> = {
  302: "Found",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

function content(schema: Record<string, unknown>, mediaTypes: readonly MediaType[] = MEDIA_TYPES) {
  return Object.fromEntries(mediaTypes.map((type) => [type, { schema }]));
}

const NOTES: Partial<Record<ErrorCode, string>> = { "406-100": "in en-US", "406-101": "always in JSON" };

/** One response per status, naming its codes; `mediaTypes` for a resource that has fewer than all. */
function errorResponses(codes: readonly ErrorCode[], mediaTypes: readonly MediaType[] = MEDIA_TYPES, standardHeaders: typeof STANDARD_HEADERS = STANDARD_HEADERS) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_CATALOG[code].status, [...(byStatus.get(ERROR_CATALOG[code].status) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      String(status),
      {
        description: `${STATUS_TEXT[status] ?? "Error"}: ${list.map((code) => (NOTES[code] === undefined ? code : `${code} (${NOTES[code]})`)).join(", ")}`,
        headers: { ...standardHeaders, ...EXTRA_HEADERS[status] },
        content: content(ref("Error"), mediaTypes),
      },
    ]),
  );
}

/** Answered for a path no route serves, so by no operation of the document. */
const UNKNOWN_ROUTE_CODE: ErrorCode = "404-101";
/** Codes only the directory API answers. */
const DIRECTORY_ONLY_CODES: readonly ErrorCode[] = ["403-106", "404-102", "409-100", "415-101", "422-100"];

/** Answered by every directory operation: negotiation, authentication, scope (429-001 once the address's budget for refusals before the scope is spent), failures. */
const ADMIN_CODES: readonly ErrorCode[] = ["400-101", "401-101", "401-104", "403-106", "405-100", "406-100", "406-101", "429-001", "500-100", "503-100"];
const KIND_AND_ID = [
  { name: "kind", in: "path", required: true, schema: { enum: ["department", "user", "customer", "client", "activity", "attachment"] } },
  { name: "id", in: "path", required: true, description: "The record's id; an attachment's altId", schema: { type: "string", minLength: 1, maxLength: 128 } },
];
const RECORD_RESPONSE = (description: string) => ({ description, headers: STANDARD_HEADERS, content: { "application/json": { schema: ref("DirectoryRecord") } } });
const sortCodes = (codes: readonly ErrorCode[]) => ERROR_CODES.filter((code) => codes.includes(code));
/** Answered by the grant-mode routes only: revocations' scope, and a download link's refusals. */
const GRANT_CODES: readonly ErrorCode[] = ["403-106", "403-107", "404-103", "410-100", "410-101"];
const PREDOWNLOAD_CODES = ERROR_CODES.filter((code) => code !== UNKNOWN_ROUTE_CODE && !DIRECTORY_ONLY_CODES.includes(code) && !GRANT_CODES.includes(code));
const DOWNLOAD_CODES: readonly ErrorCode[] = ["400-101", "403-105", "403-107", "404-103", "405-100", "406-100", "406-101", "410-100", "410-101", "500-100", "503-100"];
const REVOCATION_CODES: readonly ErrorCode[] = ["400-101", "400-102", "400-103", "400-104", "400-105", "400-152", "401-101", "401-104", "403-106", "405-100", "406-100", "406-101", "408-100", "413-100", "415-100", "429-001", "500-100", "503-100"];

const REFERRER_POLICY = { "Referrer-Policy": header("The link is not passed on", { const: "no-referrer" }) };
/** A download link's refusals: the error body, or for a caller whose Accept prefers text/html, a small page. */
function downloadRefusals() {
  const responses = errorResponses(DOWNLOAD_CODES) as Record<string, { description: string; headers: Record<string, unknown>; content: Record<string, unknown> }>;
  for (const response of Object.values(responses)) {
    response.headers = { ...response.headers, ...REFERRER_POLICY };
    response.content = { ...response.content, "text/html": { schema: { type: "string" } } };
  }
  return responses;
}

const GRANT_PARAMETER = { name: "grant", in: "path", required: true, description: "The grant: the last path segment of a contentUrl", schema: { type: "string" } };
const LANGUAGE_PARAMETER = {
  name: "Accept-Language",
  in: "header",
  required: false,
  description: `Language ranges with q-values (RFC 4647 lookup); a bare language takes its default region (fr → fr-FR, pt → pt-BR, zh → zh-CN); absent means ${DEFAULT_LOCALE}; none supported answers 406-100`,
  schema: { type: "string", default: DEFAULT_LOCALE, examples: [...LOCALES] },
};

/** The document served at `GET /openapi.json`. */
export const OPENAPI_DOCUMENT = {
  openapi: "3.1.0",
  info: {
    title: "Attachment predownload",
    version: "1",
    description:
      "Decides whether the caller may download an attachment and answers with a short-lived signed URL. " +
      `Every answer, errors included, is in the media type chosen from Accept (${MEDIA_TYPES.join(" or ")}; JSON by default) ` +
      `and in the locale chosen from Accept-Language (${DEFAULT_LOCALE} by default). ` +
      `A path that is not in this document answers ${UNKNOWN_ROUTE_CODE} (components/responses/UnknownRoute).`,
  },
  paths: {
    "/assets/predownload": {
      post: {
        operationId: "predownloadAttachment",
        summary: "Generate signed URL to download an attachment",
        description:
          "Any other method answers 405-100 with Allow. Accept: application/json (default; also */*, application/*, absent) or application/xml, " +
          "q-values honoured; nothing acceptable answers 406-101 in JSON.",
        security: [{ oAuthUser: [] }, { oAuthClient: [] }],
        parameters: [
          {
            name: "Accept-Language",
            in: "header",
            required: false,
            description: `Language ranges with q-values (RFC 4647 lookup); a bare language takes its default region (fr → fr-FR, pt → pt-BR, zh → zh-CN); absent means ${DEFAULT_LOCALE}; none supported answers 406-100`,
            schema: { type: "string", default: DEFAULT_LOCALE, examples: [...LOCALES] },
          },
          { name: "X-egain-error-message", in: "header", required: false, description: "`yes` adds userMessage to error bodies", schema: { type: "string", enum: ["yes"] } },
          { name: "X-Request-Id", in: "header", required: false, description: "Echoed when well formed; also the audit event's requestId", schema: { type: "string", pattern: "^[A-Za-z0-9._:-]{1,128}$" } },
        ],
        requestBody: {
          required: true,
          description: "At most 16 KiB",
          content: { "application/json": { schema: ref("PredownloadRequest") } },
        },
        responses: {
          "200": {
            description: "The attachment with a signed URL, or, when it is blocked, with messageText and no URL",
            headers: STANDARD_HEADERS,
            content: content(ref("Attachment")),
          },
          ...errorResponses(PREDOWNLOAD_CODES),
        },
      },
    },
    "/directory/{kind}/{id}": {
      get: {
        operationId: "getDirectoryRecord",
        summary: "Read one directory record (scope directory:read)",
        security: [{ oAuthClient: ["directory:read"] }],
        parameters: KIND_AND_ID,
        responses: { "200": RECORD_RESPONSE("The record and its version"), ...errorResponses(sortCodes([...ADMIN_CODES, "404-102"])) },
      },
      put: {
        operationId: "putDirectoryRecord",
        summary: "Create or replace one directory record (scope directory:write)",
        description: "The body is one record as in the NDJSON file; its kind and id may be left out and must match the path when present. A lower version than the stored one answers 409-100 naming the stored version; an equal one answers 200 with the stored record and writes nothing.",
        security: [{ oAuthClient: ["directory:write"] }],
        parameters: KIND_AND_ID,
        requestBody: { required: true, description: "At most 16 KiB", content: { "application/json": { schema: { type: "object" } } } },
        responses: {
          "200": RECORD_RESPONSE("Replaced, or unchanged (equal version: the stored record)"),
          "201": RECORD_RESPONSE("Created"),
          ...errorResponses(sortCodes([...ADMIN_CODES, "400-102", "400-103", "400-152", "408-100", "409-100", "413-100", "415-100"])),
        },
      },
      delete: {
        operationId: "deleteDirectoryRecord",
        summary: "Delete one directory record (scope directory:write)",
        description: "With ?version=N a tombstone keeps older writes out for DIRECTORY_TOMBSTONE_DAYS.",
        security: [{ oAuthClient: ["directory:write"] }],
        parameters: [...KIND_AND_ID, { name: "version", in: "query", required: false, schema: { type: "integer", minimum: 0, maximum: 9007199254740991 } }],
        responses: { "204": { description: "Deleted", headers: STANDARD_HEADERS }, ...errorResponses(sortCodes([...ADMIN_CODES, "400-152", "404-102", "409-100"])) },
      },
    },
    "/directory/import": {
      post: {
        operationId: "importDirectory",
        summary: "Import NDJSON directory records, streamed (scope directory:write)",
        description: "The same format and rules as `npm run directory -- import`: validated whole before the first write, then written in small atomic batches. mode=replace deletes every record the body lacks.",
        security: [{ oAuthClient: ["directory:write"] }],
        parameters: [{ name: "mode", in: "query", required: false, schema: { enum: ["upsert", "replace"], default: "upsert" } }],
        requestBody: { required: true, description: "At most DIRECTORY_IMPORT_MAX_BYTES (default 1 GiB)", content: { "application/x-ndjson": { schema: { type: "string" } } } },
        responses: {
          "200": { description: "What the import did", headers: STANDARD_HEADERS, content: { "application/json": { schema: ref("ImportCounts") } } },
          ...errorResponses(sortCodes([...ADMIN_CODES, "400-152", "413-100", "415-101", "422-100"])),
        },
      },
    },
    "/assets/download/{grant}": {
      get: {
        operationId: "redeemDownloadLink",
        summary: "Follow a download link (CONTENT_URL_MODE=grant)",
        description:
          "No Authorization: the grant is the credential. The permission is checked again against the current directory for the actor the link was issued to. " +
          "Also HEAD: the same status (200 instead of 302), using nothing. Served only in grant mode.",
        parameters: [GRANT_PARAMETER, LANGUAGE_PARAMETER],
        responses: {
          "302": {
            description: "Location: a presigned URL living GRANT_REDIRECT_TTL_SECONDS",
            headers: { ...STANDARD_HEADERS, ...REFERRER_POLICY, Location: header("The presigned URL", { type: "string" }) },
          },
          ...downloadRefusals(),
        },
      },
    },
    "/assets/revocations": {
      post: {
        operationId: "revokeDownloadLinks",
        summary: "Revoke download links: one grant, every grant of an attachment, or every grant of an actor",
        description: "A client token whose scope claim holds grants:revoke (else 403-106). Served only in grant mode.",
        security: [{ oAuthClient: [] }],
        parameters: [LANGUAGE_PARAMETER],
        requestBody: { required: true, description: "At most 16 KiB", content: { "application/json": { schema: ref("RevocationRequest") } } },
        responses: {
          "200": { description: "How many live grants were made unusable where they can be counted", headers: STANDARD_HEADERS, content: content(ref("Revocation")) },
          ...errorResponses(REVOCATION_CODES),
        },
      },
    },
    "/openapi.json": {
      get: {
        operationId: "openApiDocument",
        summary: "This document",
        description:
          "JSON and en-US only: an Accept that does not admit application/json answers 406-101, Accept-Language is not consulted, " +
          "and every answer, errors included, is in JSON and en-US. Also HEAD; any other method answers 405-100 with Allow.",
        responses: {
          "200": {
            description: "The OpenAPI 3.1 document",
            headers: DOCUMENT_HEADERS,
            content: { "application/json": { schema: { type: "object", required: ["openapi"], properties: { openapi: { const: "3.1.0" } } } } },
          },
          ...errorResponses(["405-100", "406-101"], ["application/json"], DOCUMENT_HEADERS),
        },
      },
    },
  },
  components: {
    schemas: {
      PredownloadRequest: PREDOWNLOAD_REQUEST,
      Attachment: ATTACHMENT,
      Error: ERROR,
      DirectoryRecord: DIRECTORY_RECORD,
      ImportCounts: IMPORT_COUNTS,
      RevocationRequest: REVOCATION_REQUEST,
      Revocation: REVOCATION,
    },
    responses: {
      UnknownRoute: {
        description: `Not Found: ${UNKNOWN_ROUTE_CODE}, for any method on a path that is not in this document; details name the path`,
        headers: STANDARD_HEADERS,
        content: content(ref("Error")),
      },
    },
    securitySchemes: {
      oAuthUser: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "A token whose `actor` claim is `user` or `customer`" },
      oAuthClient: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "A token whose `actor` claim is `client`" },
    },
  },
} as const;
