/**
 * The seed's permission table, end to end: each row is a request by one actor for one attachment
 * through the API, the queue and the worker, checked for its status, code and audit outcome.
 */
import { expect } from "chai";
import { activity, attachment, client, customer, department, departmentUser, globalUser } from "../support/factories.js";
import { startStack, type Stack } from "../support/stack.js";

const VIEW_AGENT_CONSOLE = { resource: "System", action: "View Agent Console" };

const DIRECTORY = [
  department("d1"),
  department("d2"),
  department("d3"),
  activity("a-d1", { department: "d1", customer: "c1" }),
  activity("a-d2", { department: "d2", customer: "c2" }),
  activity("a-d3", { department: "d3", customer: "c3" }),
  activity("a-call", { app: "calltrack", department: "d1", customer: "c1" }),
  attachment("att-d1", { activity: "a-d1" }),
  attachment("att-d2", { activity: "a-d2" }),
  attachment("att-d3", { activity: "a-d3", app: "task", type: "attachment" }),
  attachment("att-call", { activity: "a-call", app: "calltrack", type: "attachment" }),
  attachment("att-blocked", { activity: "a-d1", blocked: true }),
  attachment("att-orphan", { activity: "a-missing" }),
  departmentUser("u-dept", { homeDepartment: "d1", foreignDepartments: ["d2"], actions: [VIEW_AGENT_CONSOLE] }),
  departmentUser("u-noaction", { homeDepartment: "d1", actions: [] }),
  departmentUser("u-wrongresource", { homeDepartment: "d1", actions: [{ resource: "Reports", action: "View Agent Console" }] }),
  departmentUser("u-otheraction", { homeDepartment: "d1", actions: [{ resource: "System", action: "View Reports" }] }),
  departmentUser("u-disabled", { enabled: false }),
  globalUser("g-admin", { departmentPermissions: [{ department: "d1", permission: "Administer" }] }),
  globalUser("g-priv", { privileges: ["Manage partition resources"] }),
  globalUser("g-view", { departmentPermissions: [{ department: "d1", permission: "View" }] }),
  globalUser("g-none"),
  customer("c1", { canViewCustomers: ["c2"] }),
  customer("c2"),
  customer("c-disabled", { enabled: false }),
  client("app1"),
  client("app-disabled", { enabled: false }),
];

interface Row {
  readonly name: string;
  readonly actor: "user" | "customer" | "client";
  readonly sub: string;
  readonly altId: string;
  readonly app?: string;
  readonly type?: string;
  readonly status: number;
  readonly code?: string;
  readonly outcome: string;
}

const request = (altId: string) => {
  const att = DIRECTORY.find((l) => l.altId === altId);
  return { app: (att?.app as string) ?? "email", type: (att?.type as string) ?? "attachment.inbound" };
};

const ROWS: Row[] = [
  { name: "issues to a department user for an activity of the home department", actor: "user", sub: "u-dept", altId: "att-d1", status: 200, outcome: "issued" },
  { name: "issues to a department user for an activity of a foreign department", actor: "user", sub: "u-dept", altId: "att-d2", status: 200, outcome: "issued" },
  { name: "issues to a department user for a calltrack attachment of the home department", actor: "user", sub: "u-dept", altId: "att-call", status: 200, outcome: "issued" },
  { name: "denies a department user outside home and foreign departments", actor: "user", sub: "u-dept", altId: "att-d3", status: 403, code: "403-105", outcome: "denied" },
  { name: "denies a department user without the View Agent Console action, naming it", actor: "user", sub: "u-noaction", altId: "att-d1", status: 403, code: "403-178", outcome: "denied" },
  { name: "denies a department user with the action on another resource", actor: "user", sub: "u-wrongresource", altId: "att-d1", status: 403, code: "403-178", outcome: "denied" },
  { name: "denies a department user with another action on System", actor: "user", sub: "u-otheraction", altId: "att-d1", status: 403, code: "403-178", outcome: "denied" },
  { name: "issues to a global user with Administer on the activity's department", actor: "user", sub: "g-admin", altId: "att-d1", status: 200, outcome: "issued" },
  { name: "denies a global user with Administer on another department only", actor: "user", sub: "g-admin", altId: "att-d2", status: 403, code: "403-105", outcome: "denied" },
  { name: "issues to a global user with the Manage partition resources privilege anywhere", actor: "user", sub: "g-priv", altId: "att-d3", status: 200, outcome: "issued" },
  { name: "denies a global user with only View on the department", actor: "user", sub: "g-view", altId: "att-d1", status: 403, code: "403-105", outcome: "denied" },
  { name: "denies a global user with no permission at all", actor: "user", sub: "g-none", altId: "att-d1", status: 403, code: "403-105", outcome: "denied" },
  { name: "issues to a customer for the customer's own activity", actor: "customer", sub: "c1", altId: "att-d1", status: 200, outcome: "issued" },
  { name: "issues to a customer for a customer it can view", actor: "customer", sub: "c1", altId: "att-d2", status: 200, outcome: "issued" },
  { name: "denies a customer for a customer it cannot view", actor: "customer", sub: "c1", altId: "att-d3", status: 403, code: "403-105", outcome: "denied" },
  { name: "denies a customer the other way round: viewing is not symmetric", actor: "customer", sub: "c2", altId: "att-d1", status: 403, code: "403-105", outcome: "denied" },
  { name: "never gives a customer a calltrack attachment, even its own", actor: "customer", sub: "c1", altId: "att-call", status: 403, code: "403-105", outcome: "denied" },
  { name: "issues to a client application with no further permission", actor: "client", sub: "app1", altId: "att-d3", status: 200, outcome: "issued" },
  { name: "issues a calltrack attachment to a client application", actor: "client", sub: "app1", altId: "att-call", status: 200, outcome: "issued" },
  { name: "refuses a disabled user with 401", actor: "user", sub: "u-disabled", altId: "att-d1", status: 401, code: "401-101", outcome: "unauthenticated" },
  { name: "refuses a disabled customer with 401", actor: "customer", sub: "c-disabled", altId: "att-d1", status: 401, code: "401-101", outcome: "unauthenticated" },
  { name: "refuses a disabled client application with 401", actor: "client", sub: "app-disabled", altId: "att-d1", status: 401, code: "401-101", outcome: "unauthenticated" },
  { name: "refuses an actor unknown to the directory with 401", actor: "user", sub: "nobody", altId: "att-d1", status: 401, code: "401-101", outcome: "unauthenticated" },
  { name: "refuses a token whose actor kind does not match the directory record", actor: "customer", sub: "u-dept", altId: "att-d1", status: 401, code: "401-101", outcome: "unauthenticated" },
  { name: "answers 404 for an unknown altId", actor: "client", sub: "app1", altId: "no-such-attachment", status: 404, code: "404-100", outcome: "not_found" },
  { name: "answers 404 when the request's app does not match the attachment", actor: "client", sub: "app1", altId: "att-d1", app: "task", status: 404, code: "404-100", outcome: "not_found" },
  { name: "answers 404 when the request's type does not match the attachment", actor: "client", sub: "app1", altId: "att-d1", type: "attachment.outbound", status: 404, code: "404-100", outcome: "not_found" },
  { name: "answers 404 for an attachment whose activity is missing", actor: "client", sub: "app1", altId: "att-orphan", status: 404, code: "404-100", outcome: "not_found" },
  { name: "answers 404 before 403 so existence is not the only thing revealed to strangers", actor: "user", sub: "u-dept", altId: "no-such-attachment", status: 404, code: "404-100", outcome: "not_found" },
  { name: "gives a blocked attachment no URL, even to a client application", actor: "client", sub: "app1", altId: "att-blocked", status: 200, outcome: "blocked" },
  { name: "checks permission before revealing that an attachment is blocked", actor: "user", sub: "g-none", altId: "att-blocked", status: 403, code: "403-105", outcome: "denied" },
];

describe("permissions (the seed's table)", () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
    await stack.importLines(DIRECTORY);
  });
  after(async () => stack?.close());

  for (const row of ROWS) {
    it(row.name, async () => {
      const defaults = request(row.altId);
      const res = await stack.post(
        { app: row.app ?? defaults.app, type: row.type ?? defaults.type, altId: row.altId },
        { token: stack.token(row.actor, row.sub) },
      );
      const body = (await res.json()) as Record<string, unknown>;
      expect(res.status, JSON.stringify(body)).to.equal(row.status);
      if (row.code !== undefined) expect(body.code).to.equal(row.code);
      if (row.code === "403-178") expect(body.details).to.deep.equal([{ key: "action", value: "View Agent Console" }]);
      if (row.outcome === "issued") {
        expect(body.contentUrl).to.be.a("string");
        expect(body.signedUrlExpiry).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect(body.blocked).to.equal(false);
      }
      if (row.outcome === "blocked") {
        expect(body.blocked).to.equal(true);
        expect(body.messageText).to.be.a("string").and.not.equal("");
        expect(body).not.to.have.property("contentUrl");
        expect(body).not.to.have.property("signedUrlExpiry");
      }
      const requestId = res.headers.get("X-Request-Id");
      const events = (await stack.auditEvents()).filter((e) => e.requestId === requestId);
      expect(events.map((e) => e.outcome)).to.deep.equal([row.outcome]);
      expect(events[0]!.actor).to.deep.equal({ type: row.actor, id: row.sub });
    });
  }
});
