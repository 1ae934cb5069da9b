/** The Koa application: middleware chain, the endpoint and its OpenAPI document. */
import Router from "@koa/router";
import Koa from "koa";
import type { State } from "./state.js";
import { ApiError } from "./errors/catalog.js";
import type { RateLimiter } from "./rate-limit.js";
import { live, metricsEndpoint, ready } from "./routes/health.js";
import type { ApiMetrics } from "./metrics.js";
import { errors, standardHeaders } from "./middleware/errors.js";
import { allowMethods } from "./middleware/allow-methods.js";
import { authenticate } from "./middleware/authenticate.js";
import { jsonBody } from "./middleware/json-body.js";
import { negotiate } from "./middleware/negotiate.js";
import { queryParameters } from "./middleware/query-parameters.js";
import { redisUnavailableAs503 } from "./middleware/redis-unavailable.js";
import { requireScope } from "./middleware/require-scope.js";
import { observe } from "./middleware/observe.js";
import { rateLimit } from "./middleware/rate-limit.js";
import { requestId } from "./middleware/request-id.js";
import { auditAdmin } from "./middleware/audit-admin.js";
import { requestDeadline } from "./middleware/request-deadline.js";
import { traceRequests } from "./middleware/trace.js";
import { jsonOnly, openApiDocument } from "./routes/openapi/route.js";
import { DIRECTORY_SCOPES, importDirectory, recordMethods, type DirectoryDeps } from "./routes/directory/route.js";
import { auditRefusals } from "./routes/predownload/audit.js";
import type { RefusalBudget } from "./refusal-budget.js";
import { predownload, validate, type PredownloadDeps } from "./routes/predownload/route.js";
import type { VerifyToken } from "./tokens.js";
import { download, downloadHeaders, type Redeem } from "./routes/download/route.js";
import { downloadNegotiate } from "./routes/download/html.js";
import { revocations } from "./routes/revocations/route.js";
import type { Durability } from "../shared/redis/durability.js";
import type { Readiness } from "../shared/runtime/health.js";
import type { RedisClient } from "../shared/redis/client.js";
import type { Keys } from "../shared/redis/keys.js";
import type { Logger } from "../shared/runtime/log.js";
import type { Tracing } from "../shared/runtime/tracing.js";
import type { Registry } from "prom-client";

export interface AppDeps extends PredownloadDeps, DirectoryDeps {
  readonly log: Logger;
  readonly redis: RedisClient;
  /** Where the API's own audit events are appended (WAIT, when asked for, holds this connection). */
  readonly auditRedis: RedisClient;
  readonly durability: Durability;
  readonly keys: Keys;
  readonly verifyToken: VerifyToken;
  readonly rateLimiter: RateLimiter;
  /** Refusals before a token is accepted, per client address. */
  readonly refusalBudget: RefusalBudget;
  readonly metrics: ApiMetrics;
  readonly registry: Registry;
  /** How long a readiness probe waits for Redis. */
  readonly redisTimeoutMs: number;
  /** What this process knows of its own readiness (its reply subscription, its shard count). */
  readonly local: () => Readiness;
  /** Traces of requests; absent, none. */
  readonly tracing?: Tracing;
  /** Grant mode (`CONTENT_URL_MODE=grant`): redeems of download links; absent, the download and revocation routes are not served. */
  readonly redeem?: Redeem;
  /** `SIGNED_URL_MAX_TTL_SECONDS`: how long a raised revocation epoch must last. */
  readonly maxTtlSeconds: number;
}

/**
 * What a listener serves: `all` (the default, one port), `api` (the endpoint and its document only)
 * or `ops` (`/health/*` and `/metrics` only, for a listener of their own on `OPS_PORT`).
 */
export type Surface = "all" | "api" | "ops";

/**
 * Each request passes exactly one `negotiate()`: the endpoint's runs inside `auditRefusals`, the admin
 * routes' inside `auditAdmin`, so that a 406 there is audited like any other refusal; other paths
 * negotiate before their own handler.
 */
export function createApp(deps: AppDeps, surface: Surface = "all"): Koa<State> {
  const app = new Koa<State>();
  const router = new Router<State>();
  if (surface !== "ops") apiRoutes(router, deps);
  if (surface !== "api") opsRoutes(router, deps);

  app.use(requestId());
  app.use(requestDeadline(deps.requestTimeoutMs));
  if (deps.tracing?.enabled === true) app.use(traceRequests(deps.tracing));
  app.use(standardHeaders());
  app.use(observe(deps.metrics, deps.log));
  app.use(errors(deps.log));
  app.use(router.routes());
  app.use(negotiate());
  app.use(async function notFound(ctx) {
    throw new ApiError("404-101", [{ key: "path", value: ctx.path }]);
  });
  return app;
}

function apiRoutes(router: Router<State>, deps: AppDeps): void {
  router.all(
    "/assets/predownload",
    auditRefusals(deps.auditRedis, deps.keys, deps.durability, deps.clock, deps.log, deps.refusalBudget),
    negotiate(),
    allowMethods("POST"),
    queryParameters(),
    authenticate(deps.verifyToken),
    rateLimit(deps.rateLimiter),
    jsonBody(deps.requestTimeoutMs),
    validate(deps),
    predownload(deps),
  );
  if (deps.redeem !== undefined) {
    router.all("/assets/download/:grant", downloadHeaders(), downloadNegotiate(), allowMethods("GET", "HEAD"), queryParameters(), download({ ...deps, redeem: deps.redeem }));
    router.all(
      "/assets/revocations",
      auditAdmin("/assets/revocations", deps),
      negotiate(),
      redisUnavailableAs503(deps.auditRedis, deps.log),
      allowMethods("POST"),
      queryParameters(),
      authenticate(deps.verifyToken),
      requireScope("grants:revoke", deps),
      jsonBody(deps.requestTimeoutMs),
      revocations({ ...deps, maxTtlSeconds: deps.maxTtlSeconds }),
    );
  }
  router.all("/openapi.json", jsonOnly(), allowMethods("GET", "HEAD"), openApiDocument());
  // Admin calls: not charged against the per-actor rate limit; every call is audited.
  router.all(
    "/directory/import",
    auditAdmin("/directory/import", deps),
    negotiate(),
    redisUnavailableAs503(deps.redis, deps.log),
    allowMethods("POST"),
    queryParameters("mode"),
    authenticate(deps.verifyToken),
    requireScope(DIRECTORY_SCOPES.write, deps),
    importDirectory(deps),
  );
  router.all(
    "/directory/:kind/:id",
    auditAdmin("/directory/{kind}/{id}", deps),
    negotiate(),
    redisUnavailableAs503(deps.redis, deps.log),
    allowMethods("GET", "HEAD", "PUT", "DELETE"),
    authenticate(deps.verifyToken),
    recordMethods(deps, jsonBody(deps.requestTimeoutMs)),
  );
}

function opsRoutes(router: Router<State>, deps: AppDeps): void {
  router.all("/health/live", allowMethods("GET", "HEAD"), live());
  router.all("/health/ready", allowMethods("GET", "HEAD"), ready(deps.redis, deps.keys, deps.redisTimeoutMs, deps.local));
  router.all("/metrics", allowMethods("GET", "HEAD"), metricsEndpoint(deps.registry));
}
