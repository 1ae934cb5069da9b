/**
 * The sign job, whole: its queue and name, what the API enqueues and with which options, what the
 * worker answers and how it holds and removes jobs. Both sides are typed and configured by these
 * definitions only. Payloads hold ids and JSON primitives, never tokens or URLs.
 */
import type { DefaultJobOptions, WorkerOptions } from "bullmq";
import type { Actor, AttachmentApp, AttachmentType } from "./attachment.js";
import type { Attachment } from "./directory.js";

/** The BullMQ queue that carries sign jobs; its keys live under `<shard queuePrefix>:sign:`. */
export const SIGN_QUEUE = "sign";

export const SIGN_JOB = "sign";
export type SignJobName = typeof SIGN_JOB;

/** A redeem of a grant (`GET`/`HEAD /assets/download/{grant}`), on the same queue as sign jobs. */
export const REDEEM_JOB = "redeem";
export type RedeemJobName = typeof REDEEM_JOB;

/** Every job name the queue carries; the worker dispatches on it. */
export type JobName = SignJobName | RedeemJobName;

/**
 * How the API enqueues sign jobs: infrastructure faults retry twice, 100 ms apart (denials are
 * results and never retry); a finished job goes at once, a failed one stays a day for inspection.
 * Which end of the queue a job joins is chosen per job (`api/backlog.ts`).
 */
export const SIGN_JOB_OPTIONS: DefaultJobOptions = Object.freeze({
  attempts: 3,
  backoff: { type: "fixed", delay: 100 },
  removeOnComplete: true,
  removeOnFail: { age: 24 * 3600, count: 1000 },
});

/** How a worker holds sign jobs and removes them (`WORKER_LOCK_MS` gives `lockMs`). */
export function signWorkerOptions(lockMs: number): Pick<WorkerOptions, "lockDuration" | "stalledInterval" | "removeOnComplete" | "removeOnFail"> {
  return {
    // A worker that dies mid-job loses its lock within WORKER_LOCK_MS; the stalled check, run
    // twice as often, then hands the job to another worker while its deadline may still allow.
    lockDuration: lockMs,
    stalledInterval: Math.max(Math.floor(lockMs / 2), 250),
    removeOnComplete: { count: 0 },
    removeOnFail: { age: 24 * 3600, count: 1000 },
  };
}

export interface SignJobData {
  readonly requestId: string;
  readonly actor: Actor;
  readonly app: AttachmentApp;
  readonly type: AttachmentType;
  readonly altId: string;
  /** Epoch ms the caller asked the URL to expire by, if earlier than the configured TTL. */
  readonly requestedExpiry: number | null;
  /** Epoch ms after which nobody waits for the answer: the job then issues nothing. */
  readonly deadline: number;
  /** The API instance whose reply channel gets the answer. */
  readonly replyTo: string;
  readonly client: { readonly ip: string; readonly userAgent: string | null };
  /** The W3C trace context of the enqueue (ids and flags, nothing else) when the API traces; the job continues it. */
  readonly traceparent?: string;
  /**
   * Grant mode: the id (hash) of the grant the API made for this request. The worker stores the
   * grant under it; the grant itself never leaves the API but in its answer.
   */
  readonly grantId?: string;
}

/**
 * What the API enqueues for a redeem: the grant's id (its hash, see `grant.ts`), never the grant,
 * which is a credential.
 */
export interface RedeemJobData {
  readonly requestId: string;
  readonly grantId: string;
  /** GET consumes a use and gets a URL; HEAD only asks what a GET would get. */
  readonly consume: boolean;
  /** Epoch ms after which nobody waits for the answer. */
  readonly deadline: number;
  readonly replyTo: string;
  readonly client: { readonly ip: string; readonly userAgent: string | null };
  readonly traceparent?: string;
}

/** The payload of a job of each name. */
export interface JobDataOf {
  readonly sign: SignJobData;
  readonly redeem: RedeemJobData;
}
export type JobData = JobDataOf[JobName];

/** The refusals of a redeem, by code: unknown or expired, revoked, used up, no longer permitted, now blocked. */
export type RedeemRefusalCode = "404-103" | "410-100" | "410-101" | "403-105" | "403-107";

export type RedeemResult =
  /** `location`: the presigned URL the API redirects to (it lives `GRANT_REDIRECT_TTL_SECONDS`). */
  | { readonly outcome: "redeemed"; readonly location: string }
  /** A HEAD's answer: a GET would be redeemed now. */
  | { readonly outcome: "redeemable" }
  | { readonly outcome: "refused"; readonly code: RedeemRefusalCode }
  | { readonly outcome: "unavailable"; readonly reason?: "directory_empty" }
  | { readonly outcome: "error" };

/** The attachment as the API presents it: the stored record less what callers must not see. */
export type AttachmentView = Omit<Attachment, "objectKey" | "activity">;

export type SignResult =
  /** `contentUrl` is "" when the job stored a grant: the API, which holds the grant, makes the link. */
  | { readonly outcome: "issued"; readonly attachment: AttachmentView; readonly contentUrl: string; readonly signedUrlExpiry: string }
  | { readonly outcome: "blocked"; readonly attachment: AttachmentView }
  | { readonly outcome: "denied"; readonly code: "403-105" | "403-178"; readonly missingAction?: string }
  | { readonly outcome: "not_found" }
  | { readonly outcome: "unauthenticated" }
  /** `directory_empty`: this Redis holds no directory (restarted empty, or never imported). */
  | { readonly outcome: "unavailable"; readonly reason?: "directory_empty" }
  | { readonly outcome: "error" };

/**
 * What a sign job returns to BullMQ: the outcome only. The result itself travels by the reply path;
 * BullMQ copies return values into its events stream, where a signed URL must never linger.
 */
export type SignJobReturn = SignResult["outcome"];

/** What any job returns to BullMQ: its outcome only. */
export type JobReturn = SignJobReturn | RedeemResult["outcome"];

/** The result of a job of either name. */
export type JobResult = SignResult | RedeemResult;

/** The message on a reply channel, and the value of a result key. */
export interface SignReply {
  readonly jobId: string;
  readonly result: JobResult;
}
