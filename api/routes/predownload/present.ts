/** The 200 body: the seed's Attachment representation, fields in the seed's order. */
import type { AttachmentView } from "../../../shared/domain/job.js";
import { blockedMessage } from "../../errors/messages/catalog.js";
import type { Locale } from "../../errors/messages/locales.js";

export type AttachmentResponse = AttachmentView & {
  readonly contentUrl?: string;
  readonly signedUrlExpiry?: string;
  readonly messageText?: string;
};

/** An attachment with its URL, or with whatever `extra` says instead. */
export function presentAttachment(a: AttachmentView, extra: { contentUrl?: string; signedUrlExpiry?: string; messageText?: string }): AttachmentResponse {
  return {
    id: a.id,
    altId: a.altId,
    app: a.app,
    type: a.type,
    fileName: a.fileName,
    name: a.name,
    contentType: a.contentType,
    size: a.size,
    encodingType: a.encodingType,
    charset: a.charset,
    inline: a.inline,
    contentId: a.contentId,
    blocked: a.blocked,
    created: a.created,
    ...extra,
  };
}

/** A blocked attachment: no URL, and a `messageText` in the caller's locale (the worker's result carries none). */
export function presentBlocked(a: AttachmentView, locale: Locale): AttachmentResponse {
  return presentAttachment(a, { messageText: blockedMessage(locale) });
}
