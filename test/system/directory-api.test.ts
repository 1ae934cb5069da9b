/** The directory API over HTTP, against real Redis and the whole stack: scopes, records, versions, imports, audit. */
import { expect } from "chai";
import { activity, attachment, client, department, departmentUser, predownloadBody } from "../support/factories.js";
import { startStack, type Stack } from "../support/stack.js";

const VIEW_AGENT_CONSOLE = { resource: "System", action: "View Agent Console" };
const BOTH = "directory:read directory:write";

describe("directory API", function () {
  this.timeout(20_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack({ env: { DIRECTORY_IMPORT_MAX_BYTES: "2000" } });
    await stack.importLines([department("d1"), activity("a1"), attachment("att1"), client("app-off", { enabled: false }), client("app-on")]);
  });
  after(async () => stack?.close());

  const admin = (scope = BOTH, actor = "client", sub = "admin") => stack.token(actor, sub, { scope });
  const call = (method: string, path: string, options: { token?: string; body?: unknown; type?: string } = {}) => {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers["Content-Type"] = options.type ?? "application/json";
    const body = options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    return fetch(`${stack.api.url}${path}`, { method, headers, body });
  };
  const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> });
  /** A predownload of `altId` by a client application: the worker's decision on the stored records. */
  const predownload = async (altId: string) => json(await stack.post(predownloadBody({ altId }), { token: stack.token("client", "app-on") }));

  const scopeRows: ReadonlyArray<readonly [string, string, string, string | undefined, string]> = [
    ["GET without any scope", "GET", "", "client", "directory:read"],
    ["GET with the write scope only", "GET", "directory:write", "client", "directory:read"],
    ["PUT with the read scope only", "PUT", "directory:read", "client", "directory:write"],
    ["DELETE with the read scope only", "DELETE", "directory:read", "client", "directory:write"],
    ["PUT by a user token holding both scopes", "PUT", BOTH, "user", "directory:write"],
    ["an import with the read scope only", "POST", "directory:read", "client", "directory:write"],
  ];
  for (const [what, method, scope, actor, needed] of scopeRows) {
    it(`refuses ${what} with 403-106 naming ${needed}`, async () => {
      const path = method === "POST" ? "/directory/import" : "/directory/client/x1";
      const body = method === "PUT" ? { enabled: true } : method === "POST" ? "" : undefined;
      const response = await call(method, path, { token: admin(scope, actor), body, type: method === "POST" ? "application/x-ndjson" : undefined });
      const { status, body: error } = await json(response);
      expect(status).to.equal(403);
      expect(error).to.deep.include({ code: "403-106", details: [{ key: "scope", value: needed }] });
    });
  }

  it("refuses an admin client that is in the directory and disabled (401)", async () => {
    expect((await call("GET", "/directory/department/d1", { token: admin(BOTH, "client", "app-off") })).status).to.equal(401);
  });

  it("creates (201), replaces (200), reads (200), deletes (204) and then finds no record (404-102)", async () => {
    const token = admin();
    const created = await json(await call("PUT", "/directory/department/dx", { token, body: { name: "Support" } }));
    expect(created).to.deep.equal({ status: 201, body: { kind: "department", id: "dx", version: null, record: { id: "dx", name: "Support" } } });
    const replaced = await json(await call("PUT", "/directory/department/dx", { token, body: { kind: "department", id: "dx", name: "Help" } }));
    expect(replaced.status).to.equal(200);
    expect(await json(await call("GET", "/directory/department/dx", { token }))).to.deep.equal({
      status: 200,
      body: { kind: "department", id: "dx", version: null, record: { id: "dx", name: "Help" } },
    });
    expect((await call("DELETE", "/directory/department/dx", { token })).status).to.equal(204);
    const gone = await json(await call("GET", "/directory/department/dx", { token }));
    expect(gone.status).to.equal(404);
    expect(gone.body.code).to.equal("404-102");
    expect((await json(await call("DELETE", "/directory/department/dx", { token }))).body.code).to.equal("404-102");
  });

  it("answers 400-152 naming the field of an invalid record or an id that differs from the path", async () => {
    const token = admin();
    const bad = await json(await call("PUT", "/directory/attachment/x9", { token, body: { ...attachment("x9"), kind: undefined, size: "big" } }));
    expect(bad.status).to.equal(400);
    expect(bad.body).to.deep.include({ code: "400-152", details: [{ key: "attribute", value: "size" }] });
    const other = await json(await call("PUT", "/directory/client/c-a", { token, body: { id: "c-b" } }));
    expect(other.body).to.deep.include({ code: "400-152", details: [{ key: "attribute", value: "id" }] });
  });

  it("refuses a stale version with 409-100 naming the stored one, and answers an equal one with the stored record", async () => {
    const token = admin();
    expect((await call("PUT", "/directory/client/cv", { token, body: { version: 5 } })).status).to.equal(201);
    const stale = await json(await call("PUT", "/directory/client/cv", { token, body: { version: 4, enabled: false } }));
    expect(stale.status).to.equal(409);
    expect(stale.body).to.deep.include({ code: "409-100", details: [{ key: "version", value: "5" }] });
    const same = await json(await call("PUT", "/directory/client/cv", { token, body: { version: 5, enabled: false } }));
    expect(same).to.deep.equal({ status: 200, body: { kind: "client", id: "cv", version: 5, record: { id: "cv", enabled: true } } });
    expect((await call("DELETE", "/directory/client/cv?version=4", { token })).status).to.equal(409);
  });

  it("keeps a versioned delete's tombstone against a late older PUT", async () => {
    const token = admin();
    await call("PUT", "/directory/client/ct", { token, body: { version: 1 } });
    expect((await call("DELETE", "/directory/client/ct?version=3", { token })).status).to.equal(204);
    expect((await json(await call("PUT", "/directory/client/ct", { token, body: { version: 2 } }))).body).to.deep.include({ code: "409-100" });
    expect((await call("GET", "/directory/client/ct", { token })).status).to.equal(404);
    expect((await call("PUT", "/directory/client/ct", { token, body: { version: 4 } })).status).to.equal(201);
  });

  it("lets the highest version win when writers race on one record, whatever the order", async () => {
    const token = admin();
    const versions = [7, 2, 9, 1, 5, 8, 3, 6, 4, 10, 0];
    const statuses = await Promise.all(versions.map((version) => call("PUT", "/directory/customer/race", { token, body: { version, canViewCustomers: [`c${version}`] } }).then((r) => r.status)));
    expect(statuses.every((s) => s === 200 || s === 201 || s === 409)).to.equal(true);
    const final = await json(await call("GET", "/directory/customer/race", { token }));
    expect(final.body).to.deep.include({ version: 10 });
    expect((final.body.record as { canViewCustomers: string[] }).canViewCustomers).to.deep.equal(["c10"]);
  });

  it("applies a permission change on the next predownload", async () => {
    const token = admin();
    await call("PUT", "/directory/user/u-late", { token, body: departmentUser("u-late", { kind: undefined, homeDepartment: "d1", actions: [] }) });
    const asUser = stack.token("user", "u-late");
    expect((await stack.post(predownloadBody(), { token: asUser })).status).to.equal(403);
    await call("PUT", "/directory/user/u-late", { token, body: departmentUser("u-late", { kind: undefined, homeDepartment: "d1", actions: [VIEW_AGENT_CONSOLE] }) });
    expect((await stack.post(predownloadBody(), { token: asUser })).status).to.equal(200);
  });

  it("imports NDJSON and answers with the counts", async () => {
    const lines = [client("imp1"), client("imp2", { version: 3 }), { kind: "client", id: "imp3", deleted: true }].map((l) => JSON.stringify(l)).join("\n");
    const result = await json(await call("POST", "/directory/import", { token: admin(), body: lines, type: "application/x-ndjson" }));
    expect(result).to.deep.equal({ status: 200, body: { upserted: { client: 2 }, deleted: { client: 1 }, unchanged: 0, stale: 0 } });
  });

  it("rejects an import with bad lines (422-100, one detail a line) and writes nothing", async () => {
    const lines = [JSON.stringify(client("rej1")), "{not json", JSON.stringify(client("rej2", { enabled: "no" }))].join("\n");
    const result = await json(await call("POST", "/directory/import", { token: admin(), body: lines, type: "application/x-ndjson" }));
    expect(result.status).to.equal(422);
    expect(result.body).to.deep.include({
      code: "422-100",
      details: [
        { key: "line 2", value: "not valid JSON" },
        { key: "line 3", value: '"enabled" must be true or false' },
      ],
    });
    expect((await call("GET", "/directory/client/rej1", { token: admin() })).status).to.equal(404);
  });

  it("answers 413-100 to an import beyond DIRECTORY_IMPORT_MAX_BYTES, and 415-101 to one that is not NDJSON", async () => {
    const lines = Array.from({ length: 100 }, (_, i) => JSON.stringify(client(`big${i}`))).join("\n");
    expect((await json(await call("POST", "/directory/import", { token: admin(), body: lines, type: "application/x-ndjson" }))).body.code).to.equal("413-100");
    expect((await call("GET", "/directory/client/big0", { token: admin() })).status).to.equal(404);
    expect((await json(await call("POST", "/directory/import", { token: admin(), body: "{}", type: "application/json" }))).body.code).to.equal("415-101");
  });

  it("stores an attachment and its activity compactly and gives them back as they were put, to GET, the audit and the worker", async () => {
    const token = admin(BOTH, "client", "compactor");
    const fields = { id: "9001", activity: "a-cmp", fileName: "Résumé \u001e – 履歴書.pdf", name: "cv.pdf", contentType: "application/pdf", size: 2 ** 40, objectKey: "email/9001/cv.pdf" };
    expect((await call("PUT", "/directory/activity/a-cmp", { token, body: { app: "email", department: "d1", customer: null } })).status).to.equal(201);
    const first = await json(await call("PUT", "/directory/attachment/cmp1", { token, body: { ...attachment("cmp1", fields), kind: undefined, version: 1 } }));
    expect(first.status).to.equal(201);
    const record = first.body.record as Record<string, unknown>;
    // A file name with a control character keeps its record in JSON; without one, the record is compact.
    expect(await stack.redis.get(stack.keys.record("attachment", "cmp1"))).to.match(/^v1:\{"altId":"cmp1"/);
    const second = await json(await call("PUT", "/directory/attachment/cmp1", { token, body: { ...attachment("cmp1", { ...fields, fileName: "cv.pdf" }), kind: undefined, version: 2 } }));
    const stored = (await stack.redis.get(stack.keys.record("attachment", "cmp1")))!;
    expect(stored.startsWith("v2:\u001e")).to.equal(true);
    expect(stored.length).to.be.below(JSON.stringify(second.body.record).length / 2);
    expect((await stack.redis.get(stack.keys.record("activity", "a-cmp")))!.startsWith("\u001e")).to.equal(true);
    expect(await json(await call("GET", "/directory/attachment/cmp1", { token }))).to.deep.equal({ status: 200, body: { kind: "attachment", id: "cmp1", version: 2, record: second.body.record } });
    expect((await json(await call("GET", "/directory/activity/a-cmp", { token }))).body.record).to.deep.equal({ id: "a-cmp", app: "email", department: "d1", customer: null });
    const unchanged = await json(await call("PUT", "/directory/attachment/cmp1", { token, body: { ...attachment("cmp1", { ...fields, fileName: "other.pdf" }), kind: undefined, version: 2 } }));
    expect(unchanged).to.deep.equal({ status: 200, body: { kind: "attachment", id: "cmp1", version: 2, record: second.body.record } });
    const events = (await stack.auditEvents()).filter((e) => e.type === "directory" && e.recordId === "cmp1");
    expect(events.map((e) => [e.before, e.after])).to.deep.equal([
      [null, record],
      [record, second.body.record],
    ]);
    expect((await predownload("cmp1")).body).to.deep.include({ blocked: false, fileName: "cv.pdf", name: "cv.pdf", size: 2 ** 40 }).and.to.have.property("contentUrl");
  });

  it("reads an attachment and an activity stored as JSON by earlier versions as before", async () => {
    const token = admin();
    const old = { altId: "old1", id: "7001", activity: "a-old", app: "email", type: "attachment.inbound", fileName: "old.pdf", name: "old.pdf", contentType: "application/pdf", size: 3, objectKey: "objects/old1", encodingType: null, charset: null, inline: false, contentId: null, blocked: false, created: "2026-11-01T10:00:00.000Z" };
    await stack.redis.set(stack.keys.record("activity", "a-old"), JSON.stringify({ id: "a-old", app: "email", department: "d1", customer: null }));
    await stack.redis.set(stack.keys.record("attachment", "old1"), `v4:${JSON.stringify(old)}`);
    expect(await json(await call("GET", "/directory/attachment/old1", { token }))).to.deep.equal({ status: 200, body: { kind: "attachment", id: "old1", version: 4, record: old } });
    expect((await predownload("old1")).body).to.deep.include({ blocked: false, fileName: "old.pdf" });
    // A write over it stores the compact form; the audit's "before" is the record as it was.
    expect((await call("PUT", "/directory/attachment/old1", { token, body: { ...old, altId: undefined, version: 5, blocked: true } })).status).to.equal(200);
    expect((await stack.redis.get(stack.keys.record("attachment", "old1")))!.startsWith("v5:\u001e")).to.equal(true);
    const [event] = (await stack.auditEvents()).filter((e) => e.type === "directory" && e.recordId === "old1");
    expect(event).to.deep.include({ before: old, after: { ...old, blocked: true } });
    expect((await predownload("old1")).body).to.deep.include({ blocked: true });
  });

  it("audits every change with the admin client as its author, and every event matches the schema", async () => {
    const token = admin(BOTH, "client", "auditor");
    await call("PUT", "/directory/client/aud", { token, body: { version: 1 } });
    await call("PUT", "/directory/client/aud", { token, body: { version: 2, enabled: false } });
    await call("DELETE", "/directory/client/aud?version=3", { token });
    const events = (await stack.auditEvents()).filter((e) => e.type === "directory" && e.recordId === "aud");
    expect(events.map((e) => [e.action, e.version])).to.deep.equal([
      ["upsert", 1],
      ["upsert", 2],
      ["delete", 3],
    ]);
    expect(events[1]).to.deep.include({ by: { type: "client", id: "auditor" }, before: { id: "aud", enabled: true }, after: { id: "aud", enabled: false } });
    expect(events[2]).to.deep.include({ before: { id: "aud", enabled: false }, after: null });
  });
});
