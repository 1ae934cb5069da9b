import { required, type Middleware } from "../state.js";
import { ApiError } from "../errors/catalog.js";
import type { RateLimiter } from "../rate-limit.js";
import { unavailable } from "../errors/unavailable.js";

/**
 * 429-001 with `Retry-After` (whole seconds, at least 1) when the authenticated actor is over its
 * rate. Runs before the body is read, so a flood costs the service little. When Redis cannot be
 * asked, the request could not be served anyway: 503-100.
 */
export function rateLimit(acquire: RateLimiter): Middleware {
  return async function rateLimitMiddleware(ctx, next) {
    let waitMs: number;
    try {
      waitMs = await acquire(required(ctx, "actor"));
    } catch {
      throw unavailable();
    }
    if (waitMs > 0) {
      const seconds = String(Math.max(1, Math.ceil(waitMs / 1000)));
      throw new ApiError("429-001", [{ key: "retryAfter", value: seconds }], { "Retry-After": seconds });
    }
    await next();
  };
}
