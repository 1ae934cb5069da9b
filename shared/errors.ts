/**
 * The error catalog: every error the API can answer with, by code (`<status>-<number>`, unique).
 * The messages of each code, in every locale, are in `messages/`.
 */

export interface CatalogEntry {
  readonly status: number;
}

export const ERROR_CATALOG = {
  "400-101": { status: 400 },
  "400-102": { status: 400 },
  "400-103": { status: 400 },
  "400-104": { status: 400 },
  "400-105": { status: 400 },
  "400-152": { status: 400 },
  "401-101": { status: 401 },
  "401-104": { status: 401 },
  "403-105": { status: 403 },
  "403-178": { status: 403 },
  "404-100": { status: 404 },
  "404-101": { status: 404 },
  "405-100": { status: 405 },
  "406-100": { status: 406 },
  "406-101": { status: 406 },
  "413-100": { status: 413 },
  "415-100": { status: 415 },
  "429-001": { status: 429 },
  "500-100": { status: 500 },
  "503-100": { status: 503 },
} as const satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** Every code, in catalog order. */
export const ERROR_CODES = Object.keys(ERROR_CATALOG) as readonly ErrorCode[];

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
