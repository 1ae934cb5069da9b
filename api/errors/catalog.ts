/**
 * The error catalog: every error the API can answer with, by code (`<status>-<number>`, unique),
 * with its status and its meaning. The messages of each code, in every locale, are in `messages/`.
 */

export interface CatalogEntry {
  readonly status: number;
  /** What the code means, in short English for operators and the docs (Markdown inline code allowed). */
  readonly meaning: string;
}

export const ERROR_CATALOG = {
  "400-101": { status: 400, meaning: "unsupported query parameter (a token in the query string included)" },
  "400-102": { status: 400, meaning: "the body is not valid JSON" },
  "400-103": { status: 400, meaning: "the body is not a JSON object" },
  "400-104": { status: 400, meaning: "a required attribute is missing" },
  "400-105": { status: 400, meaning: "an attribute is not part of the schema (`__proto__` included)" },
  "400-152": { status: 400, meaning: "invalid value for an attribute" },
  "401-101": { status: 401, meaning: "a presented bearer token that is malformed, invalid or expired, or whose actor is unknown to the directory or disabled; `WWW-Authenticate: Bearer error=\"invalid_token\"`" },
  "401-104": { status: 401, meaning: "no bearer token: the Authorization header is missing, uses another scheme, or is `Bearer` alone; `WWW-Authenticate: Bearer`" },
  "403-105": { status: 403, meaning: "not allowed to download this attachment" },
  "403-106": { status: 403, meaning: "an admin call without the scope it needs (named in details as `scope`), or from a token whose actor is not `client`" },
  "403-107": { status: 403, meaning: "download link: the attachment has been blocked since the link was issued" },
  "403-178": { status: 403, meaning: "the caller lacks a required action (named in details)" },
  "404-100": { status: 404, meaning: "attachment not found (unknown `altId`, other `app` or `type`, missing activity)" },
  "404-101": { status: 404, meaning: "no such route" },
  "404-102": { status: 404, meaning: "directory API: no such record (a tombstone included)" },
  "404-103": { status: 404, meaning: "download link: unknown or expired grant (any string that is not a live grant)" },
  "405-100": { status: 405, meaning: "method not allowed (`Allow` header lists the allowed ones)" },
  "406-100": { status: 406, meaning: "none of the requested languages is supported (answered in en-US)" },
  "406-101": { status: 406, meaning: "none of the requested media types is available (answered in JSON)" },
  "408-100": { status: 408, meaning: "the request body did not arrive whole within `REQUEST_TIMEOUT_MS` (`POST /directory/import`: it paused longer than that, or came slower than `DIRECTORY_IMPORT_MIN_BYTES_PER_SECOND`, as details say); `Connection: close`" },
  "409-100": { status: 409, meaning: "directory API: a newer version of the record is stored (named in details); nothing changed" },
  "410-100": { status: 410, meaning: "download link: the grant has been revoked" },
  "410-101": { status: 410, meaning: "download link: the grant has been used `GRANT_MAX_USES` times" },
  "413-100": { status: 413, meaning: "body larger than 16 KiB (`POST /directory/import`: larger than `DIRECTORY_IMPORT_MAX_BYTES`)" },
  "415-100": { status: 415, meaning: "body is not `application/json`" },
  "415-101": { status: 415, meaning: "`POST /directory/import`: body is not `application/x-ndjson`" },
  "422-100": { status: 422, meaning: "`POST /directory/import`: bad lines (one detail each, at most 50); nothing written" },
  "429-001": { status: 429, meaning: "too many requests; `Retry-After` says when to retry" },
  "500-100": { status: 500, meaning: "unable to process the request (the cause is logged, never returned)" },
  "503-100": { status: 503, meaning: "no answer within `REQUEST_TIMEOUT_MS` or Redis unreachable; `Retry-After` says when to retry" },
} as const satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** Every code, in catalog order. */
export const ERROR_CODES = Object.keys(ERROR_CATALOG) as readonly ErrorCode[];

/** The catalog as a table, in catalog order: what the docs' error table lists, row for row. */
export const ERROR_TABLE: ReadonlyArray<{ readonly code: ErrorCode; readonly status: number; readonly meaning: string }> = ERROR_CODES.map((code) => ({
  code,
  status: ERROR_CATALOG[code].status,
  meaning: ERROR_CATALOG[code].meaning,
}));

export interface ErrorDetail {
  readonly key: string;
  readonly value: string;
}

/**
 * An error the API answers with. `details` name the offending attribute or the missing action;
 * `headers` go on the response (`Retry-After`, `Allow`).
 */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly details: readonly ErrorDetail[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(code);
    this.name = "ApiError";
    this.status = ERROR_CATALOG[code].status;
  }
}
