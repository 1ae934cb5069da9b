/** The media types every answer exists in; the first is the default. */
export const MEDIA_TYPES = ["application/json", "application/xml"] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];
