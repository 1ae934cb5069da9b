/**
 * Every admin call (directory API, revocations) leaves exactly one audit event: a change its own
 * `directory` or `revocation` event, everything else (refusals, reads, calls that changed nothing)
 * an `admin` event naming who asked what and how it ended, with no credential, grant or raw
 * control character in it. Refusals before the admin scope was proven share the unauthenticated
 * budget of the caller's address: a flood of them grows the stream with seconds, not requests.
 */
import { randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import { expect } from "chai";
import { grantIdOf } from "../../shared/domain/grant.js";
import { activity, attachment, client, department, departmentUser } from "../support/factories.js";
import { until } from "../support/probes.js";
import { startStack, type Stack } from "../support/stack.js";

const BOTH = "directory:read directory:write";
type Event = Record<string, unknown>;

interface Call {
  readonly method: string;
  readonly path: string;
  /** `none`: no Authorization header; `bad`: a token with a wrong signature; otherwise [actor, sub, scope]. */
  readonly token: "none" | "bad" | readonly [string, string, string];
  readonly body?: string;
  readonly type?: string;
  readonly headers?: Record<string, string>;
}

describe("admin calls are audited", function () {
  this.timeout(30_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack({ env: { CONTENT_URL_MODE: "grant", PUBLIC_BASE_URL: "https://files.example.test", DIRECTORY_IMPORT_MAX_BYTES: "2000" } });
    await stack.importLines([department("d1"), activity("a1"), attachment("att1"), client("admin"), departmentUser("u1"), client("off", { enabled: false })]);
  });
  after(async () => stack?.close());

  function bearer(token: Call["token"]): Record<string, string> {
    if (token === "none") return {};
    if (token === "bad") return { Authorization: `Bearer ${stack.token("client", "admin", { scope: BOTH }).slice(0, -4)}AAAA` };
    const [actor, sub, scope] = token;
    return { Authorization: `Bearer ${stack.token(actor, sub, { scope })}` };
  }

  /** Sends `call` under a fresh request id; resolves the status and the events that carry that id. */
  async function audited(call: Call): Promise<{ status: number; code: string | undefined; events: Event[]; requestId: string }> {
    const requestId = `adm-${randomBytes(6).toString("hex")}`;
    const headers = { "X-Request-Id": requestId, ...bearer(call.token), ...(call.body === undefined ? {} : { "Content-Type": call.type ?? "application/json" }), ...call.headers };
    const res = await fetch(`${stack.api.url}${call.path}`, { method: call.method, headers, body: call.body });
    const text = await res.text();
    const code = res.status >= 400 && text !== "" ? ((JSON.parse(text) as { code?: string }).code ?? undefined) : undefined;
    const events = (await stack.auditEvents()).filter((e) => e.requestId === requestId);
    return { status: res.status, code, events, requestId };
  }

  const admin = (scope = BOTH): Call["token"] => ["client", "admin", scope];
  const revoke = (body: unknown, token: Call["token"] = admin("grants:revoke")): Call => ({ method: "POST", path: "/assets/revocations", token, body: JSON.stringify(body) });

  // [what, call, status, code, outcome, by (type/id), what the event says was asked]
  const rows: ReadonlyArray<readonly [string, Call, number, string, string, readonly [string | null, string | null], Record<string, unknown>]> = [
    ["a read without a token", { method: "GET", path: "/directory/user/u1", token: "none" }, 401, "401-104", "unauthenticated", [null, null], { method: "GET", route: "/directory/{kind}/{id}", kind: "user", recordId: "u1" }],
    ["a read with a forged token", { method: "GET", path: "/directory/user/u1", token: "bad" }, 401, "401-101", "unauthenticated", [null, null], { kind: "user", recordId: "u1" }],
    ["a read by a user token", { method: "GET", path: "/directory/user/u1", token: ["user", "u1", BOTH] }, 403, "403-106", "forbidden", ["user", "u1"], { kind: "user", recordId: "u1" }],
    ["a write with the read scope only", { method: "PUT", path: "/directory/client/x1", token: admin("directory:read"), body: "{}" }, 403, "403-106", "forbidden", ["client", "admin"], { method: "PUT" }],
    ["a call by a disabled admin client", { method: "GET", path: "/directory/user/u1", token: ["client", "off", BOTH] }, 401, "401-101", "unauthenticated", ["client", "off"], {}],
    ["a method the route does not have", { method: "PATCH", path: "/directory/user/u1", token: admin() }, 405, "405-100", "invalid", [null, null], { method: "PATCH" }],
    ["a media type it cannot answer in", { method: "GET", path: "/directory/user/u1", token: admin(), headers: { Accept: "image/png" } }, 406, "406-101", "invalid", [null, null], {}],
    ["a write whose body is no object", { method: "PUT", path: "/directory/client/x1", token: admin(), body: "[1]" }, 400, "400-103", "invalid", ["client", "admin"], {}],
    ["a read of a record that is not there", { method: "GET", path: "/directory/client/nobody", token: admin() }, 404, "404-102", "not_found", ["client", "admin"], { kind: "client", recordId: "nobody" }],
    ["a path of no known kind", { method: "GET", path: "/directory/colour/red", token: admin() }, 404, "404-101", "not_found", ["client", "admin"], { kind: "colour", recordId: "red" }],
    ["an import too large", { method: "POST", path: "/directory/import", token: admin(), type: "application/x-ndjson", body: "x".repeat(2100) }, 413, "413-100", "invalid", ["client", "admin"], { route: "/directory/import", kind: null, recordId: null, target: null }],
    ["an import with a bad line", { method: "POST", path: "/directory/import", token: admin(), type: "application/x-ndjson", body: '{"kind":"colour","id":"red"}\n' }, 422, "422-100", "invalid", ["client", "admin"], {}],
    ["an import of the wrong media type", { method: "POST", path: "/directory/import", token: admin(), body: "{}" }, 415, "415-101", "invalid", ["client", "admin"], {}],
    ["a revocation without a token", revoke({ altId: "att1" }, "none"), 401, "401-104", "unauthenticated", [null, null], { route: "/assets/revocations", target: null }],
    ["a revocation without its scope", revoke({ altId: "att1" }, admin("directory:write")), 403, "403-106", "forbidden", ["client", "admin"], { target: null }],
    ["a revocation naming nothing", revoke({}), 400, "400-104", "invalid", ["client", "admin"], { target: null }],
    ["a revocation naming two targets", revoke({ altId: "att1", actor: { type: "user", id: "u1" } }), 400, "400-152", "invalid", ["client", "admin"], { target: null }],
  ];
  for (const [what, call, status, code, outcome, [byType, byId], asked] of rows) {
    it(`records ${what} (${code}) as one admin event`, async () => {
      const answer = await audited(call);
      expect([answer.status, answer.code]).to.deep.equal([status, code]);
      expect(answer.events, JSON.stringify(answer.events)).to.have.length(1);
      const [event] = answer.events as [Event];
      expect(event).to.deep.include({ type: "admin", outcome, code, status, by: { type: byType, id: byId } });
      expect(event.request).to.deep.include({ method: call.method, ...asked });
      expect((event.client as { ip: string }).ip).to.match(/127\.0\.0\.1$/);
    });
  }

  it("records a read, and a write that changed nothing, as succeeded; a change only by its directory event", async () => {
    const put = { method: "PUT", path: "/directory/department/d9", token: admin(), body: JSON.stringify({ name: "Nine", version: 3 }) };
    const created = await audited(put);
    expect(created.status).to.equal(201);
    expect(created.events.map((e) => [e.type, e.action])).to.deep.equal([["directory", "upsert"]]);
    const unchanged = await audited(put);
    expect(unchanged.status).to.equal(200);
    expect(unchanged.events.map((e) => [e.type, e.outcome, e.status, e.code])).to.deep.equal([["admin", "succeeded", 200, null]]);
    const read = await audited({ method: "GET", path: "/directory/department/d9", token: admin("directory:read") });
    expect(read.events.map((e) => [e.type, e.outcome, e.status])).to.deep.equal([["admin", "succeeded", 200]]);
    const stale = await audited({ ...put, body: JSON.stringify({ name: "Old", version: 2 }) });
    expect(stale.events.map((e) => [e.type, e.outcome, e.code])).to.deep.equal([["admin", "conflict", "409-100"]]);
    const removed = await audited({ method: "DELETE", path: "/directory/department/d9", token: admin() });
    expect(removed.status).to.equal(204);
    expect(removed.events.map((e) => [e.type, e.action])).to.deep.equal([["directory", "delete"]]);
    const imported = await audited({ method: "POST", path: "/directory/import", token: admin(), type: "application/x-ndjson", body: `${JSON.stringify(department("d8"))}\n` });
    expect(imported.status).to.equal(200);
    expect(imported.events.every((e) => e.type === "directory")).to.equal(true);
  });

  it("records a revocation by its revocation event only", async () => {
    const answer = await audited(revoke({ actor: { type: "user", id: "u1" } }));
    expect(answer.status).to.equal(200);
    expect(answer.events.map((e) => e.type)).to.deep.equal(["revocation"]);
  });

  it("keeps no grant, token or raw control character of the call", async () => {
    const grant = randomBytes(24).toString("base64url");
    const revoked = await audited(revoke({ grant }));
    expect(revoked.events.map((e) => [e.type, e.target])).to.deep.equal([["revocation", { grantId: grantIdOf(grant) }]]);
    for (const refused of [revoke({ grant }, admin("directory:write")), revoke({ grant, altId: "att1" })]) {
      const answer = await audited(refused);
      expect(answer.events.map((e) => [e.type, (e.request as { target: unknown }).target])).to.deep.equal([["admin", null]]);
    }
    const token = stack.token("client", "admin", { scope: "directory:read" });
    const hostile = await audited({ method: "GET", path: `/directory/user/${encodeURIComponent(`\u001b[31m${token}\u2028x`)}`, token: ["client", "admin", "directory:read"] });
    expect(hostile.status).to.equal(404);
    const recordId = ((hostile.events[0] as Event).request as { recordId: string }).recordId;
    expect(recordId).to.not.match(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(recordId).to.include("\\u001b[31m").and.include("[redacted]").and.include("\\u2028x");
    const all = JSON.stringify(await stack.auditEvents());
    expect(all).to.not.include(grant);
    expect(all).to.not.include(token.split(".")[2]!);
  });
});

describe("admin refusals share the unauthenticated budget", function () {
  this.timeout(60_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack({ env: { UNAUTHENTICATED_RATE_LIMIT_PER_SECOND: "10" } });
    await stack.importLines([department("d1"), client("admin"), departmentUser("u1")]);
  });
  after(async () => stack?.close());

  /** One request over a keep-alive agent; resolves its status. */
  function send(agent: Agent, path: string, headers: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, stack.api.url), { agent, method: "GET", headers }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode!));
      });
      req.on("error", reject);
      req.end();
    });
  }

  it("answers a flood of refused admin calls (no token, a user's token) with 429-001 beyond the budget, and counts each one in a bounded number of events", async () => {
    const FLOOD = 600;
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const userToken = stack.token("user", "u1", { scope: BOTH });
    const adminToken = stack.token("client", "admin", { scope: BOTH });
    const started = Date.now();
    const statuses: number[] = [];
    const served: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < FLOOD) {
          const i = next++;
          statuses.push(await send(agent, `/directory/user/u${i}`, i % 2 === 0 ? {} : { Authorization: `Bearer ${userToken}` }));
          // An admin holding the scope, at the same address, is neither charged nor refused.
          if (i % 100 === 0) served.push(await send(agent, "/directory/user/u1", { Authorization: `Bearer ${adminToken}` }));
        }
      }),
    );
    const elapsedSeconds = (Date.now() - started) / 1000;
    agent.destroy();
    expect(new Set(served)).to.deep.equal(new Set([200]));
    const tooMany = statuses.filter((s) => s === 429).length;
    expect(FLOOD - tooMany).to.be.within(20, 20 + Math.ceil(elapsedSeconds * 10) + 2);

    const refusals = (events: Event[]) => events.filter((e) => e.type === "admin" && e.outcome !== "succeeded");
    const requests = (events: Event[]) => events.reduce((sum, e) => sum + 1 + ((e.suppressed as number | undefined) ?? 0), 0);
    // The last second's summary is written once that second has closed.
    const events = await until("every refusal counted", 10_000, async () => {
      const found = refusals(await stack.auditEvents());
      return requests(found) === FLOOD ? found : undefined;
    });
    const summaries = events.filter((e) => e.suppressed !== undefined);
    expect(events.length - summaries.length).to.equal(FLOOD - tooMany);
    expect(summaries.length).to.be.at.least(1).and.at.most(Math.ceil(elapsedSeconds) + 2);
    for (const summary of summaries) expect(summary).to.deep.include({ type: "admin", outcome: "unavailable", code: "429-001", status: 429 });
    const shard = stack.keys.shards[0]!;
    expect(await stack.redis.exists(shard.refusals, shard.refusalSeconds)).to.equal(0);
  });
});
