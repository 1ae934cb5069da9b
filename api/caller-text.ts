/**
 * Text the caller chose (its headers, the path, the `altId`, parameter and attribute names) made safe to echo,
 * store, log or enqueue. A caller may paste its own token anywhere: the token this request
 * presented is removed wherever it appears, whatever its shape, and then anything that looks like
 * a credential (see `scrub`).
 */
import type { Context } from "./state.js";
import { MAX_USER_AGENT_LENGTH } from "../shared/domain/audit.js";
import { escapeControlCharacters } from "../shared/domain/control-text.js";
import { scrub } from "../shared/runtime/log.js";

/** What replaces a credential. */
const REDACTED = "[redacted]";

/**
 * Shortest presented credential (or part of one) that is searched for: shorter pieces are no
 * secret, and replacing them would garble ordinary text (`Authorization: Bearer a`).
 */
const MIN_SECRET_LENGTH = 16;

/**
 * The pieces of the `Authorization` header that must not reappear, whatever its scheme: each
 * whitespace-separated word, and each dot-separated segment of one (a JWT's signature on its own
 * is its secret part), longest first. The scheme itself is too short to count.
 */
function presentedSecrets(ctx: Context): string[] {
  const pieces = new Set<string>();
  for (const word of ctx.get("Authorization").split(/\s+/)) {
    pieces.add(word);
    for (const segment of word.split(".")) pieces.add(segment);
  }
  return [...pieces].filter((piece) => piece.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** `text` without the credentials the request presented and without anything shaped like a credential. */
function redacted(ctx: Context, text: string): string {
  let out = text;
  for (const secret of presentedSecrets(ctx)) out = out.split(secret).join(REDACTED);
  return scrub(out);
}

/**
 * `text` without the credentials the request presented and without anything shaped like a credential,
 * its control characters escaped, cut to `maxLength` afterwards (cutting first could leave a token's
 * fragment that no pattern recognises).
 */
export function callerText(ctx: Context, text: string, maxLength = Infinity): string {
  const out = escapeControlCharacters(redacted(ctx, text));
  return out.length > maxLength ? out.slice(0, maxLength) : out;
}

/** Whether `text` holds the presented credentials or anything shaped like a credential. */
export function holdsCredential(ctx: Context, text: string): boolean {
  return redacted(ctx, text) !== text;
}

/** The request's `User-Agent` as it may be stored (job payload, audit event): cleaned and bounded; null when absent. */
export function userAgent(ctx: Context): string | null {
  const value = ctx.get("User-Agent");
  return value === "" ? null : callerText(ctx, value, MAX_USER_AGENT_LENGTH);
}
