import type { Middleware } from "../state.js";
import { ApiError } from "../errors/catalog.js";
import { TokenError, type VerifyToken } from "../tokens.js";

/** `credentials = auth-scheme [ 1*SP token68 ]` (RFC 7235 §2.1); the scheme is case-insensitive. */
const CREDENTIALS = /^(\S+)(?:\s+([\s\S]*))?$/;
/** A JWS in compact serialization: three base64url segments (RFC 7515 §7.1). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/**
 * Resolves the bearer token to `ctx.state.actor`. 401-104 with a bare `Bearer` challenge when no
 * bearer token is presented (no header, another scheme, an empty value); 401-101 with
 * `error="invalid_token"` (RFC 6750 §3.1) for a presented token that is malformed or refused.
 */
export function authenticate(verify: VerifyToken): Middleware {
  return async function authenticateMiddleware(ctx, next) {
    const match = CREDENTIALS.exec(ctx.get("Authorization"));
    const token = match?.[1]!.toLowerCase() === "bearer" ? (match[2] ?? "") : "";
    if (token === "") throw new ApiError("401-104", [], { "WWW-Authenticate": "Bearer" });
    try {
      if (!COMPACT_JWS.test(token)) throw new TokenError("malformed token");
      const { scopes, ...actor } = verify(token);
      ctx.state.actor = actor;
      ctx.state.scopes = scopes ?? [];
    } catch (error) {
      // Any failure while a token is checked refuses the token: a 401, never a 500.
      ctx.state.authFailure = error instanceof TokenError ? error.message : "the token could not be checked";
      throw new ApiError("401-101", [], { "WWW-Authenticate": 'Bearer error="invalid_token"' });
    }
    await next();
  };
}
