/**
 * `Content-Disposition: attachment` for any stored file name (RFC 6266 with RFC 5987/8187
 * `filename*`): the browser always downloads, never renders, and the name cannot break out of
 * the header, whatever quotes, semicolons, line breaks or non-ASCII characters it holds.
 */

/** Longest name, in characters, put in the header; longer names keep their extension. */
export const MAX_DOWNLOAD_NAME_LENGTH = 200;

export function contentDisposition(fileName: string): string {
  const name = downloadName(fileName);
  return `attachment; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeExtValue(name)}`;
}

/** The name a browser should save under: no path, no control characters, bounded length. */
export function downloadName(fileName: string): string {
  const base = fileName.split(/[/\\]/).pop() ?? "";
  // eslint-disable-next-line no-control-regex
  let name = base.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, "").trim();
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
