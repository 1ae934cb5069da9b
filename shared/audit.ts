/**
 * The audit event: one entry in the audit stream per decision, field `event` holding this JSON.
 * Events name who asked for what and what was decided; they never hold tokens, signatures or URLs.
 */
import { randomUUID } from "node:crypto";
import type { ActorType } from "./attachment.js";

export const AUDIT_OUTCOMES = ["issued", "blocked", "denied", "not_found", "invalid", "unauthenticated", "unavailable", "error"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export interface AuditEvent {
  readonly id: string;
  readonly time: string;
  readonly type: "predownload";
  readonly outcome: AuditOutcome;
  /** Machine-readable cause, e.g. `outside_user_departments`; null for plain issuance. */
  readonly reason: string | null;
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
  readonly reason?: string | null;
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
    client: { ip: input.client?.ip ?? null, userAgent: input.client?.userAgent ?? null },
  };
}

/** The stream field that holds the event JSON. */
export const AUDIT_FIELD = "event";
