/**
 * The error catalog: every error the API can answer with, by code (`<status>-<number>`, unique).
 * Messages have named placeholders (`{attribute}`) filled from the error's details.
 */

export interface CatalogEntry {
  readonly status: number;
  /** For developers: what went wrong and how to fix the request. */
  readonly developerMessage: string;
  /** For end users, shown when the caller asks with `X-egain-error-message: yes`. */
  readonly userMessage: string;
}

export const ERROR_CATALOG = {
  "400-101": { status: 400, developerMessage: "Query parameter '{parameter}' is not supported.", userMessage: "The request could not be processed." },
  "400-102": { status: 400, developerMessage: "The request body is not valid JSON.", userMessage: "The request could not be processed." },
  "400-103": { status: 400, developerMessage: "The request body must be a JSON object.", userMessage: "The request could not be processed." },
  "400-104": { status: 400, developerMessage: "Required attribute '{attribute}' is missing.", userMessage: "The request could not be processed." },
  "400-105": { status: 400, developerMessage: "Attribute '{attribute}' is not supported.", userMessage: "The request could not be processed." },
  "400-152": { status: 400, developerMessage: "Invalid value for attribute '{attribute}'.", userMessage: "The request could not be processed." },
  "401-101": { status: 401, developerMessage: "The authorization token is invalid or has expired.", userMessage: "Your session has expired. Please sign in again." },
  "401-104": { status: 401, developerMessage: "The Authorization header is missing or is not of the form 'Bearer <token>'.", userMessage: "Please sign in to continue." },
  "403-105": { status: 403, developerMessage: "The caller is not allowed to access this attachment.", userMessage: "You do not have permission to download this attachment." },
  "403-178": { status: 403, developerMessage: "The caller lacks the action '{action}'.", userMessage: "You do not have permission to download this attachment." },
  "404-100": { status: 404, developerMessage: "Attachment not found.", userMessage: "The attachment could not be found." },
  "404-101": { status: 404, developerMessage: "No resource at '{path}'.", userMessage: "The requested resource could not be found." },
  "405-100": { status: 405, developerMessage: "Method '{method}' is not allowed on this resource; allowed: {allowed}.", userMessage: "The request could not be processed." },
  "406-100": { status: 406, developerMessage: "None of the requested languages is supported.", userMessage: "The requested language is not supported." },
  "406-101": { status: 406, developerMessage: "None of the requested media types is available; use application/json or application/xml.", userMessage: "The request could not be processed." },
  "413-100": { status: 413, developerMessage: "The request body exceeds {limit} bytes.", userMessage: "The request could not be processed." },
  "415-100": { status: 415, developerMessage: "The request body must be application/json.", userMessage: "The request could not be processed." },
  "429-001": { status: 429, developerMessage: "Too many requests; retry after {retryAfter} seconds.", userMessage: "Too many requests. Please try again shortly." },
  "500-100": { status: 500, developerMessage: "Unable to process the request.", userMessage: "Something went wrong. Please try again." },
  "503-100": { status: 503, developerMessage: "The service is temporarily unavailable; retry after {retryAfter} seconds.", userMessage: "The service is busy. Please try again shortly." },
} as const satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

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

/** Fills `{name}` placeholders from details; an unknown placeholder stays as written. */
export function formatMessage(template: string, details: readonly ErrorDetail[]): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => details.find((d) => d.key === name)?.value ?? whole);
}
