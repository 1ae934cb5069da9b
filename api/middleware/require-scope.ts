import { ApiError } from "../errors/catalog.js";
import type { RedisClient } from "../../shared/redis/client.js";
import { decodeRecord } from "../../shared/domain/directory-codec.js";
import { parseStored } from "../../shared/redis/directory-store.js";
import type { Keys } from "../../shared/redis/keys.js";
import { required, type Middleware } from "../state.js";

export interface ScopeDeps {
  readonly redis: RedisClient;
  readonly keys: Keys;
}

/**
 * Admin calls: the token's actor must be a `client` whose `scope` claim (space-separated, RFC 9068)
 * holds `scope`, else 403-106 naming it. Runs after `authenticate()`, which read the scopes. The
 * scope is the authority: an admin client need not be in the directory, but one that is there and
 * disabled is refused (401).
 */
export function requireScope(scope: string, deps: ScopeDeps): Middleware {
  return async function requireScopeMiddleware(ctx, next) {
    const actor = required(ctx, "actor");
    if (actor.type !== "client" || !(ctx.state.scopes ?? []).includes(scope)) throw new ApiError("403-106", [{ key: "scope", value: scope }]);
    const stored = await deps.redis.get(deps.keys.record("client", actor.id));
    const body = stored === null ? undefined : parseStored(stored).body;
    if (body !== undefined && decodeRecord("client", actor.id, body).enabled === false) {
      throw new ApiError("401-101", [], { "WWW-Authenticate": 'Bearer error="invalid_token"' });
    }
    ctx.state.authorized = scope;
    await next();
  };
}
