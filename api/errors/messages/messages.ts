/** The shape every locale's messages have, so that a locale missing a message does not compile. */
import type { ErrorCode } from "../catalog.js";

/** The two messages of one error code. Placeholders such as `{attribute}` are filled from the error's details. */
export interface ErrorMessages {
  /** For developers: what went wrong and how to fix the request. */
  readonly developerMessage: string;
  /** For end users, sent when the caller asks with `X-egain-error-message: yes`. */
  readonly userMessage: string;
}

/** All messages of one locale. */
export interface Messages {
  readonly errors: { readonly [C in ErrorCode]: ErrorMessages };
  /** The `messageText` of a blocked attachment. */
  readonly attachmentBlocked: string;
}
