import type { Middleware } from "koa";
import { ApiError } from "../../shared/errors.js";
import { TokenError, type VerifyToken } from "../tokens.js";

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/;

/** Resolves the bearer token to `ctx.state.actor`; 401-104 without a usable header, 401-101 for a bad token. */
export function authenticate(verify: VerifyToken): Middleware {
  return async function authenticateMiddleware(ctx, next) {
    const header = ctx.get("Authorization");
    const match = BEARER.exec(header);
    if (match === null) {
      throw new ApiError("401-104", [], { "WWW-Authenticate": header === "" ? "Bearer" : 'Bearer error="invalid_request"' });
    }
    try {
      ctx.state.actor = verify(match[1]!);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      ctx.state.authFailure = error.message;
      throw new ApiError("401-101", [], { "WWW-Authenticate": 'Bearer error="invalid_token"' });
    }
    await next();
  };
}
