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
    "403-106": { developerMessage: "The token lacks the scope '{scope}' this call needs.", userMessage: "You do not have permission to do this." },
    "403-107": { developerMessage: "The attachment has been blocked since the link was issued.", userMessage: "This attachment has been blocked and cannot be downloaded." },
    "403-178": { developerMessage: "The caller lacks the action '{action}'.", userMessage: NO_PERMISSION },
    "404-100": { developerMessage: "Attachment not found.", userMessage: "The attachment could not be found." },
    "404-101": { developerMessage: "No resource at '{path}'.", userMessage: "The requested resource could not be found." },
    "404-102": { developerMessage: "No {kind} '{id}' in the directory.", userMessage: "The record could not be found." },
    "404-103": { developerMessage: "Unknown or expired download link.", userMessage: "This download link is not valid or has expired." },
    "405-100": { developerMessage: "Method '{method}' is not allowed on this resource; allowed: {allowed}.", userMessage: NOT_PROCESSED },
    "406-100": { developerMessage: "None of the requested languages is supported.", userMessage: "The requested language is not supported." },
    "406-101": { developerMessage: "None of the requested media types is available; use application/json or application/xml.", userMessage: NOT_PROCESSED },
    "408-100": { developerMessage: "The request did not arrive in full within the time allowed.", userMessage: "The request took too long to arrive. Please try again." },
    "409-100": { developerMessage: "A newer version of this record is stored (version {version}).", userMessage: "The record was changed in the meantime." },
    "410-100": { developerMessage: "The download link has been revoked.", userMessage: "This download link has been withdrawn." },
    "410-101": { developerMessage: "The download link has been used as many times as it allows.", userMessage: "This download link has already been used." },
    "413-100": { developerMessage: "The request body exceeds {limit} bytes.", userMessage: NOT_PROCESSED },
    "415-100": { developerMessage: "The request body must be application/json.", userMessage: NOT_PROCESSED },
    "415-101": { developerMessage: "The request body must be application/x-ndjson.", userMessage: NOT_PROCESSED },
    "422-100": { developerMessage: "The directory input was rejected; its bad lines are listed in details. Nothing was written.", userMessage: NOT_PROCESSED },
    "429-001": { developerMessage: "Too many requests; retry after {retryAfter} s.", userMessage: "Too many requests. Please try again shortly." },
    "500-100": { developerMessage: "Unable to process the request.", userMessage: "Something went wrong. Please try again." },
    "503-100": { developerMessage: "The service is temporarily unavailable; retry after {retryAfter} s.", userMessage: "The service is busy. Please try again shortly." },
  },
  attachmentBlocked: "This attachment has been blocked and cannot be downloaded.",
};
