import { ApiError } from "../errors/catalog.js";
import type { Middleware } from "../state.js";

/** Only the named query parameters (none when none are named): a token in the query string is refused like any other. */
export function queryParameters(...allowed: string[]): Middleware {
  return async function queryParametersMiddleware(ctx, next) {
    for (const name of new URLSearchParams(ctx.querystring).keys()) {
      if (!allowed.includes(name)) throw new ApiError("400-101", [{ key: "parameter", value: name }]);
    }
    await next();
  };
}
