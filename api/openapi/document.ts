/** The OpenAPI 3.1 document of the service, built once from the catalog, the locales and the schemas. */
import { ERROR_CODES, ERROR_CATALOG, type ErrorCode } from "../../shared/errors.js";
import { DEFAULT_LOCALE, LOCALES } from "../../shared/messages/locales.js";
import { MEDIA_TYPES, type MediaType } from "../middleware/negotiate.js";
import { ATTACHMENT, ERROR, PREDOWNLOAD_REQUEST } from "./schemas.js";

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
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  413: "Content Too Large",
  415: "Unsupported Media Type",
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
const PREDOWNLOAD_CODES = ERROR_CODES.filter((code) => code !== UNKNOWN_ROUTE_CODE);

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
    schemas: { PredownloadRequest: PREDOWNLOAD_REQUEST, Attachment: ATTACHMENT, Error: ERROR },
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
