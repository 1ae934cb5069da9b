/**
 * Structured JSON logs. The logger redacts credentials itself, so no caller can leak a token,
 * a signature or a signed URL by logging an object that holds one.
 */
import { pino, type Logger } from "pino";

export type { Logger };

const REDACT = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "req.headers.authorization",
  "token",
  "*.token",
  "contentUrl",
  "*.contentUrl",
  "url",
  "*.url",
];

/** Query parameters and header values that carry credentials, wherever they appear in text. */
const SECRET_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s"]+/gi, "$1[redacted]"],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, "$1[redacted]"],
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, "[redacted]"],
];

/** Removes signatures and bearer tokens from free text such as error messages. */
export function scrub(text: string): string {
  return SECRET_PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

export function createLogger(name: string, level: string): Logger {
  return pino({
    name,
    level,
    redact: { paths: REDACT, censor: "[redacted]" },
    formatters: { level: (label) => ({ level: label }) },
    hooks: {
      logMethod(args, method) {
        method.apply(
          this,
          args.map((arg) => (typeof arg === "string" ? scrub(arg) : arg)) as Parameters<typeof method>,
        );
      },
    },
    serializers: { err: (err: Error) => ({ type: err.name, message: scrub(err.message), stack: err.stack === undefined ? undefined : scrub(err.stack) }) },
  });
}
