import type { Messages } from "./messages.js";

const NOT_PROCESSED = "The request could not be processed.";
const NO_PERMISSION = "You do not have permission to download this attachment.";

/** American English: the reference every other locale is checked against. */
export const enUS: Messages = {
  errors: {
    "400-101": { developerMessage: "Query parameter '{parameter}' is not supported.", userMessage: NOT_PROCESSED },
    "400-102": { developerMessage: "The request body is not valid JSON.", userMessage: NOT_PROCESSED },
    "400-103": { developerMessage: "The request body must be a JSON object.", userMessage: NOT_PROCESSED },
    "400-104": { developerMessage: "Required attribute '{attribute}' is missing.", userMessage: NOT_PROCESSED },
    "400-105": { developerMessage: "Attribute '{attribute}' is not supported.", userMessage: NOT_PROCESSED },
    "400-152": { developerMessage: "Invalid value for attribute '{attribute}'.", userMessage: NOT_PROCESSED },
    "401-101": { developerMessage: "The authorization token is invalid or has expired.", userMessage: "Your session has expired. Please sign in again." },
    "401-104": { developerMessage: "The Authorization header is missing or is not of the form 'Bearer <token>'.", userMessage: "Please sign in to continue." },
    "403-105": { developerMessage: "The caller is not allowed to access this attachment.", userMessage: NO_PERMISSION },
    "403-178": { developerMessage: "The caller lacks the action '{action}'.", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "Attachment not found.", userMessage: "The attachment could not be found." },
    "404-101": { developerMessage: "No resource at '{path}'.", userMessage: "The requested resource could not be found." },
    "405-100": { developerMessage: "Method '{method}' is not allowed on this resource; allowed: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "None of the requested languages is supported.", userMessage: "The requested language is not supported." },
    "406-101": { developerMessage: "None of the requested media types is available; use application/json or application/xml.", userMessage: NOT_PROCESSED },
    "413-100": { developerMessage: "The request body exceeds {limit} bytes.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "The request body must be application/json.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "Too many requests; retry after {retryAfter} s.", userMessage: "Too many requests. Please try again shortly." },
    "500-100": { developerMessage: "Unable to process the request.", userMessage: "Something went wrong. Please try again." },
    "503-100": { developerMessage: "The service is temporarily unavailable; retry after {retryAfter} s.", userMessage: "The service is busy. Please try again shortly." },
  },
  attachmentBlocked: "This attachment has been blocked and cannot be downloaded.",
};
