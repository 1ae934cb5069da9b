/**
 * The audit event: one entry in the audit stream per decision, field `event` holding this JSON.
 * Events name who asked for what and what was decided; they never hold tokens, signatures or URLs.
 * `schema/audit-event.schema.json` publishes the same shape for consumers.
 */
import { randomUUID } from "node:crypto";
import type { ActorType } from "./attachment.js";
import { writeDurably, type Durability } from "../redis/durability.js";
import type { Keys } from "../redis/keys.js";
import { escapeControlCharacters } from "./control-text.js";
import { scrub } from "../runtime/log.js";
import type { RedisClient } from "../redis/client.js";

export const AUDIT_OUTCOMES = ["issued", "blocked", "denied", "not_found", "invalid", "unauthenticated", "unavailable", "error"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * The named reasons, by the outcome they explain. A request the API refuses on its own carries
 * the error code of its response instead (`400-105`, `401-104`, `503-100`, …).
 */
export const AUDIT_REASONS = {
  issued: [],
  blocked: ["attachment_blocked"],
  denied: ["missing_action", "outside_user_departments", "no_department_administer", "not_customer_activity", "customer_calltrack", "unknown_user_type"],
  not_found: ["unknown_attachment", "app_mismatch", "type_mismatch", "unknown_activity"],
  invalid: [],
  unauthenticated: ["unknown_actor", "disabled_actor"],
  unavailable: ["no_result_before_deadline", "deadline_passed", "directory_empty"],
  error: ["presign_failed"],
} as const satisfies Record<AuditOutcome, readonly string[]>;

/** An error code as the API answers with it: `<status>-<number>` (`400-105`, `429-001`). */
export type ResponseCode = `${number}-${number}`;

/** A named reason (see {@link AUDIT_REASONS}) or the error code the API answered with. */
export type AuditReason = (typeof AUDIT_REASONS)[AuditOutcome][number] | ResponseCode;

/** Longest `client.userAgent` kept; the header is the caller's free text. */
export const MAX_USER_AGENT_LENGTH = 512;

export interface AuditEvent {
  readonly id: string;
  readonly time: string;
  readonly type: "predownload";
  readonly outcome: AuditOutcome;
  /** Machine-readable cause, e.g. `outside_user_departments`; null for plain issuance. */
  readonly reason: AuditReason | null;
  readonly requestId: string;
  readonly actor: { readonly type: ActorType | null; readonly id: string | null };
  readonly attachment: {
    readonly app: string | null;
    readonly type: string | null;
    readonly altId: string | null;
    readonly id: string | null;
    readonly activity: string | null;
    readonly department: string | null;
  };
  /** When the issued URL stops working (UTC, ms); null unless issued. */
  readonly expiresAt: string | null;
  readonly client: { readonly ip: string | null; readonly userAgent: string | null };
  /** The OpenTelemetry trace of the request (32 hex characters); null when it was not traced. */
  readonly traceId: string | null;
  /**
   * Only on the summary of one address's over-budget refusals (429-001) in one second: how many
   * more requests it stands for, none of which has an event of its own.
   */
  readonly suppressed?: number;
  /** In grant mode, on an `issued` event: the id of the grant in its `contentUrl` (its hash, never the grant). */
  readonly grantId?: string;
}

export interface AuditInput {
  readonly outcome: AuditOutcome;
  readonly reason?: AuditReason | null;
  readonly requestId: string;
  readonly actor?: { readonly type: ActorType; readonly id: string } | null;
  readonly attachment?: Partial<AuditEvent["attachment"]>;
  readonly expiresAt?: string | null;
  readonly client?: { readonly ip: string | null; readonly userAgent: string | null };
  readonly traceId?: string | null;
  readonly grantId?: string;
}

/**
 * Builds a complete event, every field present (null where unknown). Every text field is cleaned
 * whoever supplied it: anything shaped like a credential is redacted and control characters are
 * escaped, so neither reaches the stream.
 */
export function auditEvent(input: AuditInput, now = new Date()): AuditEvent {
  const a = input.attachment ?? {};
  return {
    id: randomUUID(),
    time: now.toISOString(),
    type: "predownload",
    outcome: input.outcome,
    reason: input.reason ?? null,
    requestId: clean(input.requestId),
    actor: { type: input.actor?.type ?? null, id: cleanOrNull(input.actor?.id) },
    attachment: {
      app: a.app ?? null,
      type: a.type ?? null,
      altId: cleanOrNull(a.altId),
      id: cleanOrNull(a.id),
      activity: cleanOrNull(a.activity),
      department: cleanOrNull(a.department),
    },
    expiresAt: input.expiresAt ?? null,
    client: { ip: cleanOrNull(input.client?.ip), userAgent: userAgent(input.client?.userAgent ?? null) },
    traceId: input.traceId ?? null,
    ...(input.grantId === undefined ? {} : { grantId: input.grantId }),
  };
}

export const DOWNLOAD_OUTCOMES = ["redeemed", "refused"] as const;
export type DownloadOutcome = (typeof DOWNLOAD_OUTCOMES)[number];
/** Why a redeem was refused. */
export const DOWNLOAD_REASONS = ["unknown_grant", "revoked", "used_up", "denied", "blocked"] as const;
export type DownloadReason = (typeof DOWNLOAD_REASONS)[number];

/** One redeem of a grant (a GET of its link): joins who was given a URL (`issuedRequestId`) to who used it, from where. */
export interface DownloadEvent {
  readonly id: string;
  readonly time: string;
  readonly type: "download";
  readonly outcome: DownloadOutcome;
  readonly reason: DownloadReason | null;
  readonly grantId: string;
  /** The request that issued the grant; null when the grant is unknown. */
  readonly issuedRequestId: string | null;
  readonly requestId: string;
  /** Whom the grant was issued to (null when unknown): the link's holder is not authenticated. */
  readonly actor: AuditEvent["actor"];
  readonly attachment: AuditEvent["attachment"];
  readonly client: AuditEvent["client"];
  readonly traceId: string | null;
}

export interface DownloadInput {
  readonly outcome: DownloadOutcome;
  readonly reason?: DownloadReason | null;
  readonly grantId: string;
  readonly issuedRequestId: string | null;
  readonly requestId: string;
  readonly actor: { readonly type: ActorType; readonly id: string } | null;
  readonly attachment?: Partial<AuditEvent["attachment"]>;
  readonly client: { readonly ip: string | null; readonly userAgent: string | null };
  readonly traceId?: string | null;
}

export function downloadEvent(input: DownloadInput, now = new Date()): DownloadEvent {
  const base = auditEvent({ outcome: "issued", requestId: input.requestId, actor: input.actor, attachment: input.attachment, client: input.client, traceId: input.traceId }, now);
  return {
    id: base.id,
    time: base.time,
    type: "download",
    outcome: input.outcome,
    reason: input.reason ?? null,
    grantId: input.grantId,
    issuedRequestId: cleanOrNull(input.issuedRequestId),
    requestId: base.requestId,
    actor: base.actor,
    attachment: base.attachment,
    client: base.client,
    traceId: base.traceId,
  };
}

/** What a revocation names: one grant (by its id), one attachment, or one actor. */
export type RevocationTarget = { readonly grantId: string } | { readonly altId: string } | { readonly actor: { readonly type: ActorType; readonly id: string } };

/** One call of `POST /assets/revocations`. */
export interface RevocationEvent {
  readonly id: string;
  readonly time: string;
  readonly type: "revocation";
  /** The admin client that revoked. */
  readonly by: { readonly type: "client"; readonly id: string };
  readonly target: RevocationTarget;
  /** The live grants it made unusable where they can be counted (0 for a revocation by attachment or actor). */
  readonly revoked: number;
  readonly requestId: string;
  readonly traceId: string | null;
}

export function revocationEvent(input: Omit<RevocationEvent, "id" | "time" | "type">, now = new Date()): RevocationEvent {
  return { id: randomUUID(), time: now.toISOString(), type: "revocation", by: { type: "client", id: clean(input.by.id) }, target: cleanTarget(input.target), revoked: input.revoked, requestId: clean(input.requestId), traceId: input.traceId };
}

function cleanTarget(target: RevocationTarget): RevocationTarget {
  return "grantId" in target ? target : "altId" in target ? { altId: clean(target.altId) } : { actor: { type: target.actor.type, id: clean(target.actor.id) } };
}

/** The admin routes, as their events name them (never the path as sent). */
export const ADMIN_ROUTES = ["/directory/{kind}/{id}", "/directory/import", "/assets/revocations"] as const;
export type AdminRoute = (typeof ADMIN_ROUTES)[number];

/**
 * How an admin call ended: `succeeded` (a call that changed nothing, a read, or one whose change
 * event could not be written: changes that were recorded have their `directory` or `revocation`
 * event instead), or why it was refused.
 */
export const ADMIN_OUTCOMES = ["succeeded", "unauthenticated", "forbidden", "invalid", "not_found", "conflict", "unavailable", "error"] as const;
export type AdminOutcome = (typeof ADMIN_OUTCOMES)[number];

/** Longest `kind` and `recordId` of a path kept in an admin event: the path is the caller's text. */
export const MAX_ADMIN_PATH_TEXT = 256;
/** Longest method kept (Node's parser allows only known methods; bounded all the same). */
const MAX_METHOD_LENGTH = 16;

/**
 * One admin call (directory API or revocation) that no `directory` or `revocation` event records:
 * a refusal, a read, a call that changed nothing. Who (`by`, null when no token was accepted), what
 * was asked (method, route, the path's kind and id, a revocation's target: a grant only by its
 * id), and how it ended.
 */
export interface AdminEvent {
  readonly id: string;
  readonly time: string;
  readonly type: "admin";
  readonly outcome: AdminOutcome;
  /** The response's error code; null when it succeeded. */
  readonly code: ResponseCode | null;
  /** The response's HTTP status. */
  readonly status: number;
  readonly requestId: string;
  readonly by: { readonly type: ActorType | null; readonly id: string | null };
  readonly request: {
    readonly method: string;
    readonly route: AdminRoute;
    readonly kind: string | null;
    readonly recordId: string | null;
    readonly target: RevocationTarget | null;
  };
  readonly client: AuditEvent["client"];
  readonly traceId: string | null;
  /** As on a `predownload` event: on the summary of one address's over-budget refusals in one second. */
  readonly suppressed?: number;
}

export interface AdminInput {
  readonly status: number;
  readonly code: ResponseCode | null;
  readonly requestId: string;
  readonly by: { readonly type: ActorType; readonly id: string } | null;
  readonly method: string;
  readonly route: AdminRoute;
  readonly kind?: string | null;
  readonly recordId?: string | null;
  readonly target?: RevocationTarget | null;
  readonly client: { readonly ip: string | null; readonly userAgent: string | null };
  readonly traceId?: string | null;
}

export function adminEvent(input: AdminInput, now = new Date()): AdminEvent {
  const bounded = (text: string | null | undefined, max: number) => {
    const out = cleanOrNull(text);
    return out === null ? null : out.slice(0, max);
  };
  return {
    id: randomUUID(),
    time: now.toISOString(),
    type: "admin",
    outcome: adminOutcome(input.status),
    code: input.code,
    status: input.status,
    requestId: clean(input.requestId),
    by: { type: input.by?.type ?? null, id: cleanOrNull(input.by?.id) },
    request: {
      method: bounded(input.method, MAX_METHOD_LENGTH) ?? "",
      route: input.route,
      kind: bounded(input.kind, MAX_ADMIN_PATH_TEXT),
      recordId: bounded(input.recordId, MAX_ADMIN_PATH_TEXT),
      target: input.target === undefined || input.target === null ? null : cleanTarget(input.target),
    },
    client: { ip: cleanOrNull(input.client.ip), userAgent: userAgent(input.client.userAgent) },
    traceId: input.traceId ?? null,
  };
}

function adminOutcome(status: number): AdminOutcome {
  if (status < 400) return "succeeded";
  if (status === 401) return "unauthenticated";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 429 || status === 503) return "unavailable";
  if (status >= 500) return "error";
  return "invalid";
}

/** Any event of the audit stream this module builds. */
export type AnyAuditEvent = AuditEvent | DownloadEvent | RevocationEvent | AdminEvent;

/** `text` without credentials and with its control characters escaped. */
function clean(text: string): string {
  return escapeControlCharacters(scrub(text));
}

function cleanOrNull(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : clean(text);
}

/** A caller can put anything in User-Agent, its own token included; the event keeps no credential. */
function userAgent(value: string | null): string | null {
  return value === null ? null : clean(value).slice(0, MAX_USER_AGENT_LENGTH);
}

/** The stream field that holds the event JSON. */
export const AUDIT_FIELD = "event";

/**
 * Appends one event to the audit stream of the shard of `shardId` (the request's job, so that a
 * late worker's event for the same job lands beside it), durably when so configured. Resolves
 * false when the replicas did not acknowledge it in time (the event is written, but a failover
 * could lose it).
 */
export async function appendAuditEvent(redis: RedisClient, keys: Keys, durability: Durability, event: AnyAuditEvent, shardId: string): Promise<boolean> {
  const stream = keys.shardFor(shardId).auditStream;
  const { replicated } = await writeDurably(redis, durability, stream, (pipeline) => pipeline.xadd(stream, "*", AUDIT_FIELD, JSON.stringify(event)));
  return replicated;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * The trim bound for a retention of `retentionDays`: the stream id of the oldest moment kept.
 * Entries with smaller ids (appended earlier) may be trimmed; entries at or above it never are.
 */
export function auditMinId(retentionDays: number, now = Date.now()): string {
  return `${Math.max(now - retentionDays * DAY_MS, 0)}-0`;
}
