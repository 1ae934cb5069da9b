/**
 * The response overrides a signed URL carries so that a browser always downloads, never renders:
 * `Content-Disposition: attachment` for any stored file name (RFC 6266 with RFC 5987/8187
 * `filename*`), which no quote, semicolon, line break or non-ASCII character can break out of, and
 * a `Content-Type` that is never an active one (HTML, XML, SVG, script).
 */

/** Longest name, in characters, put in the header; longer names keep their extension. */
export const MAX_DOWNLOAD_NAME_LENGTH = 200;

/** What active content is served as: browsers neither render nor sniff it, they save it. */
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

/** Types a browser renders or runs, or sniffs its way to rendering. */
const ACTIVE_TYPES = new Set([
  "text/html",
  "text/xml",
  "text/xsl",
  "text/javascript",
  "text/ecmascript",
  "text/jscript",
  "text/x-javascript",
  "text/x-ecmascript",
  "text/x-component",
  "text/cache-manifest",
  "application/javascript",
  "application/ecmascript",
  "application/x-javascript",
  "application/x-ecmascript",
  "application/hta",
  "application/x-shockwave-flash",
  "application/unknown",
  "unknown/unknown",
]);

/**
 * The `Content-Type` a download is served with: the stored type when it is well formed and
 * passive, otherwise {@link DOWNLOAD_CONTENT_TYPE}. Active types (HTML, any XML including SVG and
 * XHTML, scripts, multipart) and types that make a browser sniff are replaced, so that a browser,
 * viewer or web view that ignores `Content-Disposition` still cannot render the file on the
 * storage origin.
 */
export function downloadContentType(stored: string): string {
  const match = MEDIA_TYPE.exec(stored.trim());
  if (match === null) return DOWNLOAD_CONTENT_TYPE;
  const type = match[1]!.toLowerCase();
  const subtype = match[2]!.toLowerCase();
  const essence = `${type}/${subtype}`;
  if (ACTIVE_TYPES.has(essence) || type === "multipart" || subtype === "xml" || subtype.endsWith("+xml") || subtype === "*") {
    return DOWNLOAD_CONTENT_TYPE;
  }
  return stored.trim();
}
