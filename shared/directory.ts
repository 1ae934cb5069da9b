/**
 * The directory: departments, actors (users, customers, client applications), activities and
 * attachments. Records arrive as NDJSON, one a line with `kind` first; each is validated here,
 * normalized (defaults filled in) and stored in Redis as one JSON string per record.
 */
import type { AttachmentApp, AttachmentType } from "./attachment.js";
import { ATTACHMENT_APPS, ATTACHMENT_TYPES } from "./attachment.js";

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

/** One validated NDJSON line: a record to upsert, or a deletion. */
export type DirectoryEntry =
  | { [K in DirectoryKind]: { readonly kind: K; readonly id: string; readonly deleted: false; readonly record: RecordOf[K] } }[DirectoryKind]
  | { readonly kind: DirectoryKind; readonly id: string; readonly deleted: true };

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

  date(name: string): string {
    const value = this.take(name);
    if (typeof value !== "string" || !ISO_DATE_TIME.test(value) || !isCalendarDate(value) || Number.isNaN(Date.parse(value))) {
      throw new Invalid(`"${name}" must be an ISO 8601 date-time such as 2026-11-01T10:00:00.000Z`);
    }
    return new Date(value).toISOString();
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
      if (!this.seen.has(key)) throw new Invalid(`unknown field "${path}${key}"`);
    }
  }
}

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
  const [year, month, day] = value.slice(0, 10).split("-").map(Number) as [number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

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
      objectKey: f.text("objectKey"),
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
      return { kind: k, id: fields.id(idField(k)), deleted: true };
    }
    fields.boolean("deleted", false);
    const record = readers[k](fields);
    fields.rejectUnknown();
    return { kind: k, id: (record as unknown as Record<string, string>)[idField(k)]!, deleted: false, record } as DirectoryEntry;
  } catch (error) {
    if (error instanceof Invalid) throw new DirectoryLineError(line, error.message);
    throw error;
  }
}
