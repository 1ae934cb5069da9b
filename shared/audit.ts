/**
 * The audit event: one entry in the audit stream per decision, field `event` holding this JSON.
 * Events name who asked for what and what was decided; they never hold tokens, signatures or URLs.
 * `schema/audit-event.schema.json` publishes the same shape for consumers.
 */
import { randomUUID } from "node:crypto";
import type { ActorType } from "./attachment.js";
import type { ErrorCode } from "./errors.js";
import { writeDurably, type Durability } from "./durability.js";
import type { Keys } from "./keys.js";
import { scrub } from "./log.js";
import type { RedisClient } from "./redis.js";

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
  unavailable: ["no_result_before_deadline", "deadline_passed"],
  error: ["presign_failed"],
} as const satisfies Record<AuditOutcome, readonly string[]>;

/** A named reason (see {@link AUDIT_REASONS}) or the error code the API answered with. */
export type AuditReason = (typeof AUDIT_REASONS)[AuditOutcome][number] | ErrorCode;

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
}

export interface AuditInput {
  readonly outcome: AuditOutcome;
  readonly reason?: AuditReason | null;
  readonly requestId: string;
  readonly actor?: { readonly type: ActorType; readonly id: string } | null;
  readonly attachment?: Partial<AuditEvent["attachment"]>;
  readonly expiresAt?: string | null;
  readonly client?: { readonly ip: string | null; readonly userAgent: string | null };
}

/** Builds a complete event, every field present (null where unknown). */
export function auditEvent(input: AuditInput, now = new Date()): AuditEvent {
  const a = input.attachment ?? {};
  return {
    id: randomUUID(),
    time: now.toISOString(),
    type: "predownload",
    outcome: input.outcome,
    reason: input.reason ?? null,
    requestId: input.requestId,
    actor: { type: input.actor?.type ?? null, id: input.actor?.id ?? null },
    attachment: {
      app: a.app ?? null,
      type: a.type ?? null,
      altId: a.altId ?? null,
      id: a.id ?? null,
      activity: a.activity ?? null,
      department: a.department ?? null,
    },
    expiresAt: input.expiresAt ?? null,
    client: { ip: input.client?.ip ?? null, userAgent: userAgent(input.client?.userAgent ?? null) },
  };
}

/** A caller can put anything in User-Agent, its own token included; the event keeps no credential. */
function userAgent(value: string | null): string | null {
  return value === null ? null : scrub(value).slice(0, MAX_USER_AGENT_LENGTH);
}

/** The stream field that holds the event JSON. */
export const AUDIT_FIELD = "event";

/**
 * Appends one event to the audit stream of the shard of `shardId` (the request's job, so that a
 * late worker's event for the same job lands beside it), durably when so configured. Resolves
 * false when the replicas did not acknowledge it in time (the event is written, but a failover
 * could lose it).
 */
export async function appendAuditEvent(redis: RedisClient, keys: Keys, durability: Durability, event: AuditEvent, shardId: string): Promise<boolean> {
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
