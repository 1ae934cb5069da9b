/** The 200 body: the seed's Attachment representation, fields in the seed's order. */
import type { AttachmentView } from "../../shared/job.js";

export const BLOCKED_MESSAGE = "This attachment has been blocked and cannot be downloaded.";

export interface AttachmentResponse extends AttachmentView {
  readonly contentUrl?: string;
  readonly signedUrlExpiry?: string;
  readonly messageText?: string;
}

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
