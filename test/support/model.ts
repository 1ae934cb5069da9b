/**
 * An independent, deliberately simple statement of who gets a URL, written from the seed's
 * permission table and the design's contract rather than from the service's code, together with
 * fast-check generators of random directories and requests to hold the service against it.
 *
 * The model reads raw NDJSON lines (defaults included: a missing `enabled` means enabled, a missing
 * list means empty) and answers with what the API must say.
 */
import fc from "fast-check";

type Line = Record<string, unknown>;

/** What the API must answer: a URL, a blocked attachment (200 without URL), or an error code. */
export type Expected = "issued" | "blocked" | "401-101" | "403-178" | "403-105" | "404-100";

const APPS = ["email", "task", "calltrack"] as const;
const TYPES = ["attachment.inbound", "attachment.outbound", "attachment"] as const;

/** One request: who asks (as a genuine token would say) and for which attachment. */
export interface ModelRequest {
  readonly actor: "user" | "customer" | "client";
  readonly sub: string;
  readonly app: (typeof APPS)[number];
  readonly type: (typeof TYPES)[number];
  readonly altId: string;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const find = (lines: readonly Line[], kind: string, idField: string, id: string) => lines.find((l) => l.kind === kind && l[idField] === id);

/** The seed's rules, one request at a time. */
export function expected(lines: readonly Line[], request: ModelRequest): Expected {
  const me = find(lines, request.actor, "id", request.sub);
  if (me === undefined || me.enabled === false) return "401-101";

  const departmentUser = request.actor === "user" && me.userType === "department";
  if (departmentUser) {
    const hasConsole = list(me.actions).some((a) => (a as Line).resource === "System" && (a as Line).action === "View Agent Console");
    if (!hasConsole) return "403-178";
  }

  const file = find(lines, "attachment", "altId", request.altId);
  if (file === undefined || file.app !== request.app || file.type !== request.type) return "404-100";
  const activity = find(lines, "activity", "id", file.activity as string);
  if (activity === undefined) return "404-100";

  let allowed: boolean;
  if (request.actor === "client") {
    allowed = true;
  } else if (request.actor === "customer") {
    const owner = activity.customer ?? null;
    allowed = file.app !== "calltrack" && owner !== null && (owner === me.id || list(me.canViewCustomers).includes(owner));
  } else if (departmentUser) {
    allowed = activity.department === me.homeDepartment || list(me.foreignDepartments).includes(activity.department);
  } else {
    allowed =
      list(me.privileges).includes("Manage partition resources") ||
      list(me.departmentPermissions).some((p) => (p as Line).department === activity.department && (p as Line).permission === "Administer");
  }
  if (!allowed) return "403-105";
  return file.blocked === true ? "blocked" : "issued";
}

/** Small id pools, so that random records and requests point at each other often. */
export const POOLS = {
  departments: ["d1", "d2", "d3"],
  /** Actor ids are shared by users, customers and clients: a token's actor kind must pick the record. */
  actors: ["p1", "p2", "p3", "__proto__", "constructor"],
  activities: ["a1", "a2", "a3", "a4"],
  attachments: ["x1", "x2", "x3", "x4", "x5", "toString"],
} as const;
const DANGLING = { department: "d-gone", customer: "p-gone", activity: "a-gone", attachment: "x-gone" };

/** Near misses beside the real values: the rules match exactly, case included. */
const RESOURCES = ["System", "system", "Reports"];
const ACTIONS = ["View Agent Console", "View agent console", "View Reports"];
const PERMISSIONS = ["Administer", "administer", "View"];
const PRIVILEGES = ["Manage partition resources", "Manage Partition Resources", "View reports"];

const department = fc.constantFrom(...POOLS.departments, DANGLING.department);
const customerRef = fc.constantFrom(...POOLS.actors, DANGLING.customer);
const enabled = fc.option(fc.boolean(), { nil: undefined, freq: 3 });

/** Drops undefined fields, so that an omitted optional field takes its default. */
function line(fields: Line): Line {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

const departmentUserArb = (id: string) =>
  fc.record({
    homeDepartment: department,
    foreignDepartments: fc.option(fc.subarray([...POOLS.departments, DANGLING.department]), { nil: undefined }),
    actions: fc.option(fc.uniqueArray(fc.record({ resource: fc.constantFrom(...RESOURCES), action: fc.constantFrom(...ACTIONS) }), { maxLength: 3, selector: (a) => `${a.resource}|${a.action}` }), { nil: undefined, freq: 8 }),
    enabled,
  }).map((u) => line({ kind: "user", id, userType: "department", ...u }));

const globalUserArb = (id: string) =>
  fc.record({
    departmentPermissions: fc.option(fc.uniqueArray(fc.record({ department, permission: fc.constantFrom(...PERMISSIONS) }), { maxLength: 3, selector: (p) => `${p.department}|${p.permission}` }), { nil: undefined }),
    privileges: fc.option(fc.subarray(PRIVILEGES), { nil: undefined }),
    enabled,
  }).map((u) => line({ kind: "user", id, userType: "global", ...u }));

const customerArb = (id: string) =>
  fc.record({ canViewCustomers: fc.option(fc.subarray([...POOLS.actors, DANGLING.customer]), { nil: undefined }), enabled }).map((c) => line({ kind: "customer", id, ...c }));

const clientArb = (id: string) => enabled.map((e) => line({ kind: "client", id, enabled: e }));

const activityArb = (id: string) =>
  fc.record({ app: fc.constantFrom(...APPS), department, customer: fc.option(customerRef, { nil: null }) }).map((a) => ({ kind: "activity", id, ...a }));

const CONTENT_TYPES = ["application/pdf", "text/html", "image/svg+xml", "text/plain; charset=utf-8", "application/xml"];

const attachmentArb = (altId: string) =>
  fc.record({
    activity: fc.constantFrom(...POOLS.activities, DANGLING.activity),
    app: fc.constantFrom(...APPS),
    type: fc.constantFrom(...TYPES),
    blocked: fc.option(fc.boolean(), { nil: undefined }),
    contentType: fc.constantFrom(...CONTENT_TYPES),
  }).map((a) =>
    line({
      kind: "attachment",
      altId,
      id: `id-${altId}`,
      fileName: `${altId}.bin`,
      size: 4,
      objectKey: `objects/${altId}`,
      created: "2026-11-01T10:00:00.000Z",
      ...a,
    }),
  );

/** Each id of a pool is absent or gets one record of the kind. */
function some(ids: readonly string[], record: (id: string) => fc.Arbitrary<Line>): fc.Arbitrary<Line[]> {
  return fc.tuple(...ids.map((id) => fc.option(record(id), { nil: undefined, freq: 4 }))).map((records) => records.filter((r): r is Line => r !== undefined));
}

/** A random directory: every kind, both user types, enabled flags, dangling references. */
export const directoryArb: fc.Arbitrary<Line[]> = fc
  .tuple(
    some(POOLS.actors, (id) => fc.oneof(departmentUserArb(id), globalUserArb(id))),
    some(POOLS.actors, customerArb),
    some(POOLS.actors, clientArb),
    some(POOLS.activities, activityArb),
    some(POOLS.attachments, attachmentArb),
  )
  .map((parts) => [...POOLS.departments.map((id) => ({ kind: "department", id, name: `Department ${id}` })), ...parts.flat()]);

/** A random request by a random actor kind and id, for a random (sometimes missing) attachment. */
export const requestArb: fc.Arbitrary<ModelRequest> = fc.record({
  actor: fc.constantFrom("user", "customer", "client"),
  sub: fc.constantFrom(...POOLS.actors, "p-unknown"),
  app: fc.constantFrom(...APPS),
  type: fc.constantFrom(...TYPES),
  altId: fc.constantFrom(...POOLS.attachments, DANGLING.attachment),
});

/**
 * A request for an attachment that exists in `lines`, under its own app and type, so that most
 * requests reach the object-level rule instead of stopping at 404.
 */
export function requestFor(lines: readonly Line[]): fc.Arbitrary<ModelRequest> {
  const files = lines.filter((l) => l.kind === "attachment");
  if (files.length === 0) return requestArb;
  return fc.tuple(requestArb, fc.constantFrom(...files)).map(([request, file]) => ({
    ...request,
    altId: file.altId as string,
    app: file.app as ModelRequest["app"],
    type: file.type as ModelRequest["type"],
  }));
}

/** A random directory and requests against it: a request mostly names an existing attachment, sometimes anything at all. */
export const scenario = directoryArb.chain((lines) =>
  fc.record({ lines: fc.constant(lines), requests: fc.array(fc.oneof({ arbitrary: requestFor(lines), weight: 3 }, { arbitrary: requestArb, weight: 1 }), { minLength: 1, maxLength: 12 }) }),
);
