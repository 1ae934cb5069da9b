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
  [/(X-Amz-(?:Signature|Credential|Security-Token)(?:=|%3D))[^&\s"]+/gi, "$1[redacted]"],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, "$1[redacted]"],
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, "[redacted]"],
];

/** Removes signatures and bearer tokens from free text such as error messages. */
export function scrub(text: string): string {
  return SECRET_PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

/** Where log lines go; anything with a `write(line)` method, such as a writable stream. */
export interface LogDestination {
  write(line: string): unknown;
}

/**
 * A JSON logger writing to `destination` (stdout by default). Known credential fields are
 * redacted by path; then every finished line is scrubbed, so a token or signature nested anywhere,
 * in a message, an error or a field of any name, never reaches the destination.
 */
export function createLogger(name: string, level: string, destination: LogDestination = pino.destination(1)): Logger {
  return pino(
    {
      name,
      level,
      redact: { paths: REDACT, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: (err: Error) => ({ type: err.name, message: err.message, stack: err.stack }) },
    },
    { write: (line: string) => destination.write(scrub(line)) },
  );
}
