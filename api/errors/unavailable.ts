import { ApiError } from "./catalog.js";

/** Seconds a caller should wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 1;

/** 503-100 with `Retry-After`: nobody could decide the request in time. */
export function unavailable(): ApiError {
  return new ApiError("503-100", [{ key: "retryAfter", value: String(RETRY_AFTER_SECONDS) }], { "Retry-After": String(RETRY_AFTER_SECONDS) });
}
