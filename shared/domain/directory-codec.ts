/**
 * How a directory record is stored in Redis. Departments, users, customers and clients are stored
 * as their JSON. Activities and attachments, the bulk of a directory, are stored in a compact
 * positional form: no field names, the record's id left out (it is in the key), enumerated fields
 * and booleans as one character, values equal to a default or to another field left empty. A
 * record the compact form cannot hold (a text with a control character) is stored as its JSON, and
 * records stored as JSON earlier are read as they are.
 *
 * The compact form starts with U+001E and separates its fields with U+001F; validated ids hold no
 * control character, and a text holding one sends its record to JSON, so neither occurs in a value:
 *
 *   activity:   RS <app> <department> US <customer>
 *   attachment: RS <activity> US <flags> <id> US <fileName> US <name> US <contentType> US <size>
 *               US <objectKey> US <encodingType> US <charset> US <contentId> US <created>
 *
 * `<app>` is `0` + the app's index in ATTACHMENT_APPS; `<flags>` is the character `0` + app index
 * x 16 + type index (ATTACHMENT_TYPES) x 4 + inline x 2 + blocked; appending to those lists keeps
 * stored records meaning what they meant, reordering them would not. An empty customer is null. An
 * empty name is the fileName, an empty contentType application/octet-stream; an empty objectKey is
 * `<app>/<id>/<fileName>`, one ending in `/` is followed by the fileName (a valid object key is
 * never empty and never ends in `/`). `<size>` is in base 36. `<created>`, when it has the form
 * toISOString gives with a 4-digit year, is its 17 digits (`2026-11-01T10:00:00.000Z` is
 * `20261101100000000`) without trailing zeros (`202611011`); otherwise it is the text itself, which
 * holds a `:`. An empty nullable text (encodingType, charset, contentId) is null, U+001D the empty
 * string.
 *
 * Decoding gives back exactly the normalized record, fields in parseLine's order. The first byte
 * names the form: a change to it takes another first byte, and readers keep reading this one.
 */
import { ATTACHMENT_APPS, ATTACHMENT_TYPES } from "./attachment.js";
import type { Activity, Attachment, DirectoryKind } from "./directory.js";

/** First character of a compact record. */
export const COMPACT_MARKER = "\u001e";
const SEPARATOR = "\u001f";
/** A nullable text that is the empty string (an empty field is null). */
const EMPTY_TEXT = "\u001d";
const ATTACHMENT_FIELDS = 11;
const DEFAULT_CONTENT_TYPE = "application/octet-stream";
const CODE_0 = 0x30;
// eslint-disable-next-line no-control-regex
const C0_CONTROL = /[\u0000-\u001f]/;

class CannotCompact extends Error {}

/** A text that can stand in a field as it is: no separator, no marker, no other control character. */
function plain(text: string): string {
  if (C0_CONTROL.test(text)) throw new CannotCompact();
  return text;
}

function nullableText(text: string | null): string {
  if (text === null) return "";
  return text === "" ? EMPTY_TEXT : plain(text);
}

function indexChar(index: number, limit: number): string {
  if (index < 0 || index >= limit) throw new CannotCompact();
  return String.fromCharCode(CODE_0 + index);
}

function encodeActivity(activity: Activity): string {
  return `${COMPACT_MARKER}${indexChar(ATTACHMENT_APPS.indexOf(activity.app), 10)}${plain(activity.department)}${SEPARATOR}${activity.customer === null ? "" : plain(activity.customer)}`;
}

/** `YYYY-MM-DDTHH:MM:SS.mmmZ`: the date-time's digits are at fixed places. */
const DIGITS_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DATE_TIME_DIGITS = 17;

// String slicing, not Date: Date.parse and toISOString cost several times more, on every write and every read.
function encodeCreated(created: string): string {
  if (DIGITS_DATE_TIME.test(created)) {
    const c = created;
    return (c.slice(0, 4) + c.slice(5, 7) + c.slice(8, 10) + c.slice(11, 13) + c.slice(14, 16) + c.slice(17, 19) + c.slice(20, 23)).replace(/0+$/, "");
  }
  if (!created.includes(":")) throw new CannotCompact();
  return plain(created);
}

function encodeObjectKey(a: Attachment): string {
  if (a.objectKey === `${a.app}/${a.id}/${a.fileName}`) return "";
  if (a.objectKey.length > a.fileName.length && a.objectKey.endsWith(`/${a.fileName}`)) return plain(a.objectKey.slice(0, -a.fileName.length));
  if (a.objectKey === "" || a.objectKey.endsWith("/")) throw new CannotCompact();
  return plain(a.objectKey);
}

function encodeAttachment(a: Attachment): string {
  const app = ATTACHMENT_APPS.indexOf(a.app);
  const type = ATTACHMENT_TYPES.indexOf(a.type);
  if (app < 0 || app > 3 || type < 0 || type > 3 || !Number.isSafeInteger(a.size) || a.size < 0) throw new CannotCompact();
  if (a.fileName === "" || a.name === "" || a.contentType === "") throw new CannotCompact();
  const flags = String.fromCharCode(CODE_0 + app * 16 + type * 4 + (a.inline ? 2 : 0) + (a.blocked ? 1 : 0));
  return [
    `${COMPACT_MARKER}${plain(a.activity)}`,
    `${flags}${plain(a.id)}`,
    plain(a.fileName),
    a.name === a.fileName ? "" : plain(a.name),
    a.contentType === DEFAULT_CONTENT_TYPE ? "" : plain(a.contentType),
    a.size.toString(36),
    encodeObjectKey(a),
    nullableText(a.encodingType),
    nullableText(a.charset),
    nullableText(a.contentId),
    encodeCreated(a.created),
  ].join(SEPARATOR);
}

/**
 * The text a normalized record (from parseLine) is stored as, without any version prefix: the
 * compact form for an activity or an attachment when it can hold it, else the record's JSON.
 */
export function encodeRecord(kind: DirectoryKind, record: object): string {
  try {
    if (kind === "activity") return encodeActivity(record as Activity);
    if (kind === "attachment") return encodeAttachment(record as Attachment);
  } catch (error) {
    if (!(error instanceof CannotCompact)) throw error;
  }
  return JSON.stringify(record);
}

/** A stored record that cannot be read back. */
export class CorruptRecordError extends Error {
  constructor(kind: DirectoryKind) {
    super(`stored ${kind} record is not in a form this version reads`);
    this.name = "CorruptRecordError";
  }
}

function tableEntry<T>(table: readonly T[], index: number, kind: DirectoryKind): T {
  const value = table[index];
  if (value === undefined) throw new CorruptRecordError(kind);
  return value;
}

function decodeNullable(field: string): string | null {
  if (field === "") return null;
  return field === EMPTY_TEXT ? "" : field;
}

const BASE_36 = /^[0-9a-z]+$/;

function decodeBase36(field: string, kind: DirectoryKind): number {
  if (!BASE_36.test(field)) throw new CorruptRecordError(kind);
  return parseInt(field, 36);
}

const DIGITS = /^\d{1,17}$/;

function decodeCreated(field: string): string {
  if (field.includes(":")) return field;
  if (!DIGITS.test(field)) throw new CorruptRecordError("attachment");
  const d = field.padEnd(DATE_TIME_DIGITS, "0");
  return `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(8, 10)}:${d.slice(10, 12)}:${d.slice(12, 14)}.${d.slice(14)}Z`;
}

function decodeActivity(id: string, body: string): Activity {
  const separator = body.indexOf(SEPARATOR, 2);
  if (separator < 0) throw new CorruptRecordError("activity");
  const customer = body.slice(separator + 1);
  return {
    id,
    app: tableEntry(ATTACHMENT_APPS, body.charCodeAt(1) - CODE_0, "activity"),
    department: body.slice(2, separator),
    customer: customer === "" ? null : customer,
  };
}

function decodeAttachment(altId: string, body: string): Attachment {
  const fields = body.slice(1).split(SEPARATOR);
  if (fields.length !== ATTACHMENT_FIELDS || fields[1]!.length < 2) throw new CorruptRecordError("attachment");
  const [activity, flagsAndId, fileName, name, contentType, size, objectKey, encodingType, charset, contentId, created] = fields as [
    string, string, string, string, string, string, string, string, string, string, string,
  ];
  const flags = flagsAndId.charCodeAt(0) - CODE_0;
  const app = tableEntry(ATTACHMENT_APPS, flags >> 4, "attachment");
  const id = flagsAndId.slice(1);
  return {
    altId,
    id,
    activity,
    app,
    type: tableEntry(ATTACHMENT_TYPES, (flags >> 2) & 3, "attachment"),
    fileName,
    name: name === "" ? fileName : name,
    contentType: contentType === "" ? DEFAULT_CONTENT_TYPE : contentType,
    size: decodeBase36(size, "attachment"),
    objectKey: objectKey === "" ? `${app}/${id}/${fileName}` : objectKey.endsWith("/") ? objectKey + fileName : objectKey,
    encodingType: decodeNullable(encodingType),
    charset: decodeNullable(charset),
    inline: (flags & 2) !== 0,
    contentId: decodeNullable(contentId),
    blocked: (flags & 1) !== 0,
    created: decodeCreated(created),
  };
}

/**
 * The record a stored text (without its version prefix) holds, `id` being the one in its key.
 * @throws CorruptRecordError for a compact text that does not decode; SyntaxError for bad JSON.
 */
export function decodeRecord(kind: "attachment", id: string, body: string): Attachment;
export function decodeRecord(kind: "activity", id: string, body: string): Activity;
export function decodeRecord(kind: DirectoryKind, id: string, body: string): Record<string, unknown>;
export function decodeRecord(kind: DirectoryKind, id: string, body: string): object {
  if (!body.startsWith(COMPACT_MARKER)) return JSON.parse(body) as Record<string, unknown>;
  if (kind === "activity") return decodeActivity(id, body);
  if (kind === "attachment") return decodeAttachment(id, body);
  throw new CorruptRecordError(kind);
}

/** The activity id a stored attachment names, read without decoding the rest; undefined when it names none. */
export function attachmentActivity(body: string): string | undefined {
  if (body.startsWith(COMPACT_MARKER)) {
    const end = body.indexOf(SEPARATOR);
    return end > 1 ? body.slice(1, end) : undefined;
  }
  try {
    const { activity } = JSON.parse(body) as { activity?: unknown };
    return typeof activity === "string" ? activity : undefined;
  } catch {
    return undefined;
  }
}
