/**
 * What a request carries from one middleware to the next (`ctx.state`), typed once: the app is a
 * `Koa<State>`, every middleware a `Middleware<State>`, so a field's writer and its readers share
 * its type. Each field names the middleware that sets it.
 */
import type { ParameterizedContext, Middleware as KoaMiddleware } from "koa";
import type { Actor } from "../shared/domain/attachment.js";
import type { AuditOutcome, AuditReason, RevocationTarget } from "../shared/domain/audit.js";
import type { Locale } from "./errors/messages/locales.js";
import type { MediaType } from "./media-types.js";
import type { PredownloadRequest } from "./routes/predownload/schema.js";

export interface State {
  /** `requestId()`, the first middleware of every app: the caller's well-formed id or a fresh one. */
  requestId: string;
  /** `traceRequests()`, when tracing is on and the request's trace is sampled: its trace id. */
  traceId?: string;
  /** `negotiate()` (or a route's own): the answer's media type; unset, the default. */
  mediaType?: MediaType;
  /** `negotiate()` (or a route's own): the answer's locale; unset, the default. */
  locale?: Locale;
  /** `requestDeadline()`, for a request whose body is still arriving: `lift()` frees it from the whole-request deadline (a route that paces its body itself). */
  requestDeadline?: { lift(): void };
  /** `authenticate()`: who the bearer token proves the caller to be. */
  actor?: Actor;
  /** `authenticate()`: the scopes of the token's `scope` claim. */
  scopes?: readonly string[];
  /** `requireScope()`: the admin scope the caller proved (a client holding it, not disabled). */
  authorized?: string;
  /** The revocations handler, once the body is read: what is to be revoked (a grant only by its id), for the admin call's event. */
  revocationTarget?: RevocationTarget;
  /** `downloadNegotiate()`: the caller is a browser (its `Accept` prefers `text/html`): refusals are an HTML page. */
  html?: boolean;
  /** `authenticate()`: why a presented token was refused (for the log, never for the caller). */
  authFailure?: string;
  /** `jsonBody()`: the parsed request body, not yet validated. */
  body?: unknown;
  /** `validate()`: the body, validated. */
  input?: PredownloadRequest;
  /** The endpoint's handler: the id of the sign job it enqueued. */
  jobId?: string;
  /** The endpoint's handler: a worker recorded the decision, so no refusal is audited here. An admin handler: its change has its own event. */
  audited?: boolean;
  /** The endpoint's handler: the audit reason when it is not the response's error code. */
  auditReason?: AuditReason;
  /** The endpoint's handler or `auditRefusals()`: the request's outcome, for metrics and the log. */
  outcome?: AuditOutcome;
}

export type Context = ParameterizedContext<State>;
export type Middleware = KoaMiddleware<State>;

/**
 * A field an earlier middleware of the route must have set (`actor` after `authenticate()`,
 * `input` after `validate()`). Missing, the route is wired wrongly: a fault (500-100), not a refusal.
 */
export function required<K extends keyof State>(ctx: Context, key: K): NonNullable<State[K]> {
  const value = ctx.state[key];
  if (value === undefined || value === null) throw new Error(`ctx.state.${key} is not set: the middleware that sets it did not run first`);
  return value;
}
