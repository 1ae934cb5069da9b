/**
 * The directory: departments, actors (users, customers, client applications), activities and
 * attachments. Records arrive as NDJSON, one a line with `kind` first; each is validated here,
 * normalized (defaults filled in) and stored in Redis as one JSON string per record.
 */
import type { AttachmentApp, AttachmentType } from "./attachment.js";
import { ATTACHMENT_APPS, ATTACHMENT_TYPES } from "./attachment.js";
import { quoted } from "./control-text.js";

export const DIRECTORY_KINDS = ["department", "user", "customer", "client", "activity", "attachment"] as const;
export type DirectoryKind = (typeof DIRECTORY_KINDS)[number];

/** A customer may view at most this many other customers. */
export const MAX_VIEWABLE_CUSTOMERS = 75;
/** Longest id, altId or name reference accepted anywhere in the directory. */
export const MAX_ID_LENGTH = 128;
const MAX_TEXT_LENGTH = 1024;

export interface Department {
  readonly id: string;
  readonly name: string;
}

export interface ActionGrant {
  readonly resource: string;
  readonly action: string;
}

export interface DepartmentPermission {
  readonly department: string;
  readonly permission: string;
}

export interface DepartmentUser {
  readonly id: string;
  readonly userType: "department";
  readonly enabled: boolean;
  readonly homeDepartment: string;
  readonly foreignDepartments: readonly string[];
  readonly actions: readonly ActionGrant[];
}

export interface GlobalUser {
  readonly id: string;
  readonly userType: "global";
  readonly enabled: boolean;
  readonly departmentPermissions: readonly DepartmentPermission[];
  readonly privileges: readonly string[];
}

export type User = DepartmentUser | GlobalUser;

export interface Customer {
  readonly id: string;
  readonly enabled: boolean;
  readonly canViewCustomers: readonly string[];
}

export interface Client {
  readonly id: string;
  readonly enabled: boolean;
}

export interface Activity {
  readonly id: string;
  readonly app: AttachmentApp;
  readonly department: string;
  readonly customer: string | null;
}

export interface Attachment {
  readonly altId: string;
  readonly id: string;
  readonly activity: string;
  readonly app: AttachmentApp;
  readonly type: AttachmentType;
  readonly fileName: string;
  readonly name: string;
  readonly contentType: string;
  readonly size: number;
  readonly objectKey: string;
  readonly encodingType: string | null;
  readonly charset: string | null;
  readonly inline: boolean;
  readonly contentId: string | null;
  readonly blocked: boolean;
  readonly created: string;
}

interface RecordOf {
  department: Department;
  user: User;
  customer: Customer;
  client: Client;
  activity: Activity;
  attachment: Attachment;
}

/** Highest record version: versions are whole numbers 0..2^53-1, exact as JSON numbers and in Redis's Lua. */
export const MAX_RECORD_VERSION = Number.MAX_SAFE_INTEGER;

/**
 * One validated NDJSON line: a record to upsert, or a deletion. `version`, when the source system
 * gives one, orders writes to one record: a lower one than stored is stale, an equal one changes nothing.
 */
export type DirectoryEntry =
  | {
      [K in DirectoryKind]: {
        readonly kind: K;
        readonly id: string;
        readonly deleted: false;
        readonly version?: number | undefined;
        readonly record: RecordOf[K];
      };
    }[DirectoryKind]
  | { readonly kind: DirectoryKind; readonly id: string; readonly deleted: true; readonly version?: number | undefined };

/** A line that cannot be imported; `line` counts from 1. */
export class DirectoryLineError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = "DirectoryLineError";
  }
}

class Invalid extends Error {}

type Json = Record<string, unknown>;

/** Field-by-field reader that names the field in every complaint and rejects unknown fields. */
class Fields {
  private readonly seen = new Set<string>(["kind"]);
  constructor(private readonly obj: Json) {}

  private take(name: string): unknown {
    this.seen.add(name);
    return Object.prototype.hasOwnProperty.call(this.obj, name) ? this.obj[name] : undefined;
  }

  id(name: string): string {
    const value = this.take(name);
    if (value === undefined || value === null) throw new Invalid(`"${name}" is required`);
    return checkId(name, value);
  }

  /**
   * An object key whose `/`-separated segments are neither empty nor `.` or `..`: a browser or a
   * lenient storage server resolves dot segments, so the signed URL would name another object.
   */
  objectKey(name: string): string {
    const key = this.text(name);
    if (key.split("/").some((segment) => segment === "" || segment === "." || segment === "..")) {
      throw new Invalid(`"${name}" must not have an empty, "." or ".." segment (leading, trailing or doubled "/" included)`);
    }
    return key;
  }

  /** A required text is never empty: an empty object key or file name cannot be served. */
  text(name: string, fallback?: string): string {
    const value = this.take(name);
    if (value === undefined || value === null) {
      if (fallback !== undefined) return fallback;
      throw new Invalid(`"${name}" is required`);
    }
    const text = checkText(name, value);
    if (text === "") throw new Invalid(`"${name}" must not be empty`);
    return text;
  }

  nullableId(name: string): string | null {
    const value = this.take(name);
    return value === undefined || value === null ? null : checkId(name, value);
  }

  nullableText(name: string): string | null {
    const value = this.take(name);
    return value === undefined || value === null ? null : checkText(name, value);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.take(name);
    if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
      throw new Invalid(`"${name}" must be one of ${allowed.join(", ")}`);
    }
    return value as T;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.take(name);
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") throw new Invalid(`"${name}" must be true or false`);
    return value;
  }

  size(name: string): number {
    const value = this.take(name);
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      throw new Invalid(`"${name}" must be a whole number of bytes, 0 or more`);
    }
    return value;
  }

  /** A record's version: a whole number 0..{@link MAX_RECORD_VERSION}, or absent. */
  version(name: string): number | undefined {
    const value = this.take(name);
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      throw new Invalid(`"${name}" must be a whole number from 0 to ${MAX_RECORD_VERSION}`);
    }
    return value;
  }

  date(name: string): string {
    const value = this.take(name);
    if (typeof value !== "string" || !ISO_DATE_TIME.test(value) || !isCalendarDate(value) || Number.isNaN(Date.parse(value))) {
      throw new Invalid(`"${name}" must be an ISO 8601 date-time such as 2026-11-01T10:00:00.000Z`);
    }
    // Most files already hold the normal form; building a Date for each of millions of lines costs.
    return CANONICAL_DATE_TIME.test(value) ? value : new Date(value).toISOString();
  }

  idList(name: string, max = 10000): string[] {
    const value = this.take(name);
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new Invalid(`"${name}" must be an array of ids`);
    if (value.length > max) throw new Invalid(`"${name}" has ${value.length} entries; at most ${max} are allowed`);
    return value.map((item, i) => checkId(`${name}[${i}]`, item));
  }

  pairs<K extends string>(name: string, first: K, second: K): Array<Record<K, string>> {
    const value = this.take(name);
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new Invalid(`"${name}" must be an array`);
    return value.map((item, i) => {
      if (!isPlainObject(item)) throw new Invalid(`"${name}[${i}]" must be an object`);
      const inner = new Fields(item);
      inner.seen.delete("kind");
      const pair = { [first]: inner.text(first), [second]: inner.text(second) } as Record<K, string>;
      inner.rejectUnknown(`${name}[${i}].`);
      return pair;
    });
  }

  rejectUnknown(path = ""): void {
    for (const key of Object.keys(this.obj)) {
      if (!this.seen.has(key)) throw new Invalid(`unknown field ${quoted(path + key)}`);
    }
  }
}

/** A date-time already in the form toISOString() gives (4-digit year, milliseconds, UTC). */
const CANONICAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/**
 * Half of a UTF-16 surrogate pair without its other half. Such a string has no UTF-8 form: Redis
 * would store it as U+FFFD (so two ids would name one key) and its Lua JSON decoder refuses it.
 */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a value can name a directory record: 1 to {@link MAX_ID_LENGTH} characters, no control characters. */
export function isDirectoryId(value: unknown): value is string {
  return (
    typeof value === "string" && value.length > 0 && value.length <= MAX_ID_LENGTH && !CONTROL_CHARACTER.test(value) && !LONE_SURROGATE.test(value)
  );
}

/**
 * Whether the `YYYY-MM-DD` a date-time starts with is a day of the calendar. Date.parse rolls
 * impossible days over (February 30 becomes March 2); refuse them instead, and months outside 1 to 12.
 */
export function isCalendarDate(value: string): boolean {
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[month - 1]!);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function checkId(name: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) throw new Invalid(`"${name}" must be a non-empty string`);
  if (value.length > MAX_ID_LENGTH) throw new Invalid(`"${name}" is longer than ${MAX_ID_LENGTH} characters`);
  if (CONTROL_CHARACTER.test(value)) throw new Invalid(`"${name}" contains a control character`);
  if (LONE_SURROGATE.test(value)) throw new Invalid(`"${name}" is not valid Unicode (a lone surrogate)`);
  return value;
}

function checkText(name: string, value: unknown): string {
  if (typeof value !== "string") throw new Invalid(`"${name}" must be a string`);
  if (value.length > MAX_TEXT_LENGTH) throw new Invalid(`"${name}" is longer than ${MAX_TEXT_LENGTH} characters`);
  if (LONE_SURROGATE.test(value)) throw new Invalid(`"${name}" is not valid Unicode (a lone surrogate)`);
  return value;
}

function isPlainObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const readers: { [K in DirectoryKind]: (f: Fields) => RecordOf[K] } = {
  department: (f) => ({ id: f.id("id"), name: f.text("name") }),
  user(f) {
    const id = f.id("id");
    const userType = f.oneOf("userType", ["department", "global"] as const);
    const enabled = f.boolean("enabled", true);
    if (userType === "department") {
      return {
        id,
        userType,
        enabled,
        homeDepartment: f.id("homeDepartment"),
        foreignDepartments: f.idList("foreignDepartments"),
        actions: f.pairs("actions", "resource", "action"),
      };
    }
    return {
      id,
      userType,
      enabled,
      departmentPermissions: f.pairs("departmentPermissions", "department", "permission"),
      privileges: f.idList("privileges"),
    };
  },
  customer: (f) => ({
    id: f.id("id"),
    enabled: f.boolean("enabled", true),
    canViewCustomers: f.idList("canViewCustomers", MAX_VIEWABLE_CUSTOMERS),
  }),
  client: (f) => ({ id: f.id("id"), enabled: f.boolean("enabled", true) }),
  activity: (f) => ({
    id: f.id("id"),
    app: f.oneOf("app", ATTACHMENT_APPS),
    department: f.id("department"),
    customer: f.nullableId("customer"),
  }),
  attachment(f) {
    const fileName = f.text("fileName");
    return {
      altId: f.id("altId"),
      id: f.id("id"),
      activity: f.id("activity"),
      app: f.oneOf("app", ATTACHMENT_APPS),
      type: f.oneOf("type", ATTACHMENT_TYPES),
      fileName,
      name: f.text("name", fileName),
      contentType: f.text("contentType", "application/octet-stream"),
      size: f.size("size"),
      objectKey: f.objectKey("objectKey"),
      encodingType: f.nullableText("encodingType"),
      charset: f.nullableText("charset"),
      inline: f.boolean("inline", false),
      contentId: f.nullableText("contentId"),
      blocked: f.boolean("blocked", false),
      created: f.date("created"),
    };
  },
};

/** The field that identifies a record of each kind. */
export function idField(kind: DirectoryKind): "id" | "altId" {
  return kind === "attachment" ? "altId" : "id";
}

/**
 * Validates one NDJSON line.
 * @throws DirectoryLineError naming the line and what is wrong with it.
 */
export function parseLine(text: string, line: number): DirectoryEntry {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DirectoryLineError(line, "not valid JSON");
  }
  if (!isPlainObject(value)) throw new DirectoryLineError(line, "expected a JSON object");
  try {
    const kind = value.kind;
    if (typeof kind !== "string" || !(DIRECTORY_KINDS as readonly string[]).includes(kind)) {
      throw new Invalid(`"kind" must be one of ${DIRECTORY_KINDS.join(", ")}`);
    }
    const k = kind as DirectoryKind;
    const fields = new Fields(value);
    if (value.deleted !== undefined && value.deleted !== false) {
      if (value.deleted !== true) throw new Invalid(`"deleted" must be true or false`);
      fields.boolean("deleted", true);
      const id = fields.id(idField(k));
      const version = fields.version("version");
      // A deletion names its record (and its version) and nothing else; anything more is refused as on any line.
      fields.rejectUnknown();
      return version === undefined ? { kind: k, id, deleted: true } : { kind: k, id, deleted: true, version };
    }
    fields.boolean("deleted", false);
    const version = fields.version("version");
    const record = readers[k](fields);
    fields.rejectUnknown();
    const id = (record as unknown as Record<string, string>)[idField(k)]!;
    return (version === undefined ? { kind: k, id, deleted: false, record } : { kind: k, id, deleted: false, version, record }) as DirectoryEntry;
  } catch (error) {
    if (error instanceof Invalid) throw new DirectoryLineError(line, error.message);
    throw error;
  }
}

/** How an import treats records its input lacks: `upsert` keeps them, `replace` deletes them. */
export type ImportMode = "upsert" | "replace";

/** What an import did: records written or deleted per kind, versions equal to the stored one, older ones. */
export interface ImportCounts {
  upserted: Partial<Record<DirectoryKind, number>>;
  deleted: Partial<Record<DirectoryKind, number>>;
  unchanged: number;
  stale: number;
}
