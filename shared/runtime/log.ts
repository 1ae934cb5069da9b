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
];

/**
 * A JWT's shape (JWS compact form): a header of at least 16 base64url characters (the shortest
 * real one, `{"alg":"none"}`, takes 19), a payload, and a signature of at least 16 characters or
 * none at all (`alg: none`), standing alone (a JSON escape such as `\n` before it counts as a
 * separator: log lines are scrubbed as JSON text). Version strings such as `Chrome/120.0.0.0` or
 * `AppleWebKit/537.36` have short segments and never match. The header is captured so that it can
 * be checked (see {@link isJsonObject}).
 */
const JWT_SHAPE = /(?:(?<![A-Za-z0-9_\\-])|(?<=\\[bfnrt\\]))([A-Za-z0-9_-]{16,})\.[A-Za-z0-9_-]{2,}\.(?:[A-Za-z0-9_-]{16,})?(?![A-Za-z0-9_-])/g;

/**
 * Whether a base64url segment decodes to what a JWT header must be: a JSON object. Decoded, not
 * recognised by a prefix: JSON may start with whitespace, so `{ "alg": …` encodes to `eyAi…` and
 * ` {"alg": …` to `IHsi…`, while any word starting with `ex` decodes to a `{`.
 */
function isJsonObject(segment: string): boolean {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * Replaces every JWT in `text`: each value of a JWT's shape whose header decodes to a JSON object,
 * which every token a verifier accepts has. A dotted name that only looks like one (three long
 * segments, the first not a JSON header) is kept, and the search resumes at its second segment,
 * so a token that follows it is still found.
 */
function redactJwts(text: string): string {
  let out = "";
  let from = 0;
  JWT_SHAPE.lastIndex = 0;
  for (let match = JWT_SHAPE.exec(text); match !== null; match = JWT_SHAPE.exec(text)) {
    const header = match[1]!;
    if (isJsonObject(header)) {
      out += `${text.slice(from, match.index)}[redacted]`;
      from = JWT_SHAPE.lastIndex;
    } else {
      JWT_SHAPE.lastIndex = match.index + header.length + 1;
    }
  }
  return out + text.slice(from);
}

/** Removes signatures, bearer tokens and anything shaped like a JWT from free text such as error messages. */
export function scrub(text: string): string {
  return redactJwts(SECRET_PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text));
}

/**
 * Control characters JSON leaves raw: DEL, C1 and U+2028/2029 (C0 ones are escaped by JSON
 * already, and a line's own end is its only raw line break).
 */
const RAW_CONTROLS = /[\u007f-\u009f\u2028\u2029]/g;

/** A JSON line with the control characters JSON leaves raw written as JSON escapes: the same value, inert text. */
function escapeRawControls(line: string): string {
  return line.replace(RAW_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Where log lines go; anything with a `write(line)` method, such as a writable stream. */
export interface LogDestination {
  write(line: string): unknown;
}

/**
 * A JSON logger writing to `destination` (stdout by default). Known credential fields are
 * redacted by path; then every finished line is scrubbed, so a token or signature nested anywhere,
 * in a message, an error or a field of any name, never reaches the destination, and no control
 * character reaches it raw.
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
    { write: (line: string) => destination.write(escapeRawControls(scrub(line))) },
  );
}
