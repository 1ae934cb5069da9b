/**
 * The response overrides a signed URL carries so that a browser always downloads, never renders:
 * `Content-Disposition: attachment` for any stored file name (RFC 6266 with RFC 5987/8187
 * `filename*`), which no quote, semicolon, line break or non-ASCII character can break out of, and
 * a `Content-Type` that is a passive one (image, PDF, text, audio, video, office, archive) or none.
 */

/** Longest name, in characters, put in the header; longer names keep their extension. */
export const MAX_DOWNLOAD_NAME_LENGTH = 200;

/** What any type off the allow list is served as: browsers neither render nor sniff it, they save it. */
export const DOWNLOAD_CONTENT_TYPE = "application/octet-stream";

/** The `Content-Disposition` value that saves the object under (a safe form of) its stored name. */
export function contentDisposition(fileName: string): string {
  const name = downloadName(fileName);
  return `attachment; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeExtValue(name)}`;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/** Bidirectional overrides and marks: `invoice\u202Efdp.exe` would display as `invoiceexe.pdf`. */
const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The name a browser should save under: no path, no control or bidirectional characters, valid
 * Unicode (a lone surrogate becomes U+FFFD, as it cannot be encoded), bounded length.
 */
export function downloadName(fileName: string): string {
  const base = fileName.split(/[/\\]/).pop() ?? "";
  let name = base.replace(LONE_SURROGATE, "\ufffd").replace(CONTROL, "").replace(BIDI_CONTROL, "").trim();
  if (name === "" || name === "." || name === "..") name = "download";
  const chars = Array.from(name);
  if (chars.length > MAX_DOWNLOAD_NAME_LENGTH) {
    const dot = name.lastIndexOf(".");
    const extension = dot > 0 && name.length - dot <= 16 ? Array.from(name.slice(dot)) : [];
    name = chars.slice(0, MAX_DOWNLOAD_NAME_LENGTH - extension.length).join("") + extension.join("");
  }
  return name;
}

/** Printable ASCII with `"`, `\`, `%` and anything else replaced by `_`, for old clients. */
function asciiFallback(name: string): string {
  return Array.from(name, (c) => (/^[\x20-\x7e]$/.test(c) && c !== '"' && c !== "\\" && c !== "%" ? c : "_")).join("");
}

/** RFC 8187 ext-value: UTF-8, every byte outside attr-char percent-encoded. */
function encodeExtValue(name: string): string {
  return encodeURIComponent(name).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
/** `type/subtype` with optional `; name=value` parameters (RFC 9110 media-type). */
const MEDIA_TYPE = new RegExp(`^(${TOKEN})/(${TOKEN})(?:[ \\t]*;[ \\t]*${TOKEN}=(?:${TOKEN}|"[^"\\\\\\u0000-\\u001f\\u007f]*"))*$`);

/**
 * Passive types: ones no browser, viewer or web view runs script in or sniffs its way to rendering.
 * Images other than SVG, PDF, plain text, audio, video, common office and archive formats. Any
 * other type, however harmless it looks (`text/livescript`, `message/rfc822`, a new XML dialect),
 * is served as {@link DOWNLOAD_CONTENT_TYPE}.
 */
const PASSIVE_TYPES = new Set([
  "image/png",
  "image/jpeg",
  "image/pjpeg",
  "image/gif",
  "image/webp",
  "image/bmp",
  "image/tiff",
  "image/avif",
  "image/heic",
  "image/heif",
  "image/x-icon",
  "image/vnd.microsoft.icon",
  "application/pdf",
  "text/plain",
  "text/csv",
  "audio/mpeg",
  "audio/mp3",
  "audio/mp4",
  "audio/aac",
  "audio/ogg",
  "audio/opus",
  "audio/wav",
  "audio/x-wav",
  "audio/wave",
  "audio/webm",
  "audio/flac",
  "audio/amr",
  "audio/3gpp",
  "audio/x-m4a",
  "video/mp4",
  "video/mpeg",
  "video/ogg",
  "video/webm",
  "video/quicktime",
  "video/3gpp",
  "video/x-msvideo",
  "video/x-matroska",
  "application/msword",
  "application/vnd.ms-excel",
  "application/vnd.ms-powerpoint",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  "application/vnd.oasis.opendocument.text",
  "application/vnd.oasis.opendocument.spreadsheet",
  "application/vnd.oasis.opendocument.presentation",
  "application/rtf",
  "application/zip",
  "application/gzip",
  "application/x-gzip",
  "application/x-tar",
  "application/x-bzip2",
  "application/x-7z-compressed",
  "application/vnd.rar",
  "application/x-rar-compressed",
]);

/** Text types keep a `charset` (a plain name, lowercased); every other parameter is dropped. */
const TEXT_TYPES = new Set(["text/plain", "text/csv"]);
const CHARSET_PARAMETER = /;[ \t]*charset=(?:"([A-Za-z0-9._:-]{1,40})"|([A-Za-z0-9._:-]{1,40}))[ \t]*(?:;|$)/i;
/** UTF-7 hides markup from filters that look for `<`; no text download needs it. */
const REFUSED_CHARSETS = new Set(["utf-7", "utf7", "csutf7", "unicode-1-1-utf-7"]);

/**
 * The `Content-Type` a download is served with: the stored type when it is well formed and on
 * the {@link PASSIVE_TYPES} allow list (compared without case), lowercased, without parameters
 * except a text type's `charset`; otherwise {@link DOWNLOAD_CONTENT_TYPE}. A browser, viewer or
 * web view that ignores `Content-Disposition` thus still cannot render the file as a page on the
 * storage origin.
 */
export function downloadContentType(stored: string): string {
  const trimmed = stored.trim();
  const match = MEDIA_TYPE.exec(trimmed);
  if (match === null) return DOWNLOAD_CONTENT_TYPE;
  const essence = `${match[1]!}/${match[2]!}`.toLowerCase();
  if (!PASSIVE_TYPES.has(essence)) return DOWNLOAD_CONTENT_TYPE;
  if (!TEXT_TYPES.has(essence)) return essence;
  const charset = CHARSET_PARAMETER.exec(trimmed.slice(essence.length));
  const name = (charset?.[1] ?? charset?.[2])?.toLowerCase();
  return name === undefined || REFUSED_CHARSETS.has(name) ? essence : `${essence}; charset=${name}`;
}
