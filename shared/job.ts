/**
 * The sign job: what the API enqueues, and what the worker answers. Both sides are typed against
 * these definitions only. Payloads hold ids and JSON primitives, never tokens or URLs.
 */
import type { Actor, AttachmentApp, AttachmentType } from "./attachment.js";
import type { Attachment } from "./directory.js";

export const SIGN_JOB = "sign";
export type SignJobName = typeof SIGN_JOB;

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
}

/** The attachment as the API presents it: the stored record less what callers must not see. */
export type AttachmentView = Omit<Attachment, "objectKey" | "activity">;

export type SignResult =
  | { readonly outcome: "issued"; readonly attachment: AttachmentView; readonly contentUrl: string; readonly signedUrlExpiry: string }
  | { readonly outcome: "blocked"; readonly attachment: AttachmentView }
  | { readonly outcome: "denied"; readonly code: "403-105" | "403-178"; readonly missingAction?: string }
  | { readonly outcome: "not_found" }
  | { readonly outcome: "unauthenticated" }
  | { readonly outcome: "unavailable" }
  | { readonly outcome: "error" };

/**
 * What a sign job returns to BullMQ: the outcome only. The result itself travels by the reply path;
 * BullMQ copies return values into its events stream, where a signed URL must never linger.
 */
export type SignJobReturn = SignResult["outcome"];

/** The message on a reply channel, and the value of a result key. */
export interface SignReply {
  readonly jobId: string;
  readonly result: SignResult;
}
