/** The values the seed API allows for an attachment's application and type. */
export const ATTACHMENT_APPS = ["email", "task", "calltrack"] as const;
export type AttachmentApp = (typeof ATTACHMENT_APPS)[number];

export const ATTACHMENT_TYPES = ["attachment.inbound", "attachment.outbound", "attachment"] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

export const ACTOR_TYPES = ["user", "customer", "client"] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/** Who is asking, as proven by the bearer token. */
export interface Actor {
  readonly type: ActorType;
  readonly id: string;
}
