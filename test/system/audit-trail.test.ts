/**
 * The audit trail end to end: a shuffled mix of concurrent requests covering every outcome, each
 * checked for exactly the events it must leave, keyed by the response's X-Request-Id; and events
 * that never hold a token, a signature or a URL.
 */
import { connect } from "node:net";
import { expect } from "chai";
import { AUDIT_OUTCOMES } from "../../shared/domain/audit.js";
import { createLogger } from "../../shared/runtime/log.js";
import { startWorker, type RunningWorker } from "../../worker/worker.js";
import { activity, attachment, client, customer, department, departmentUser, globalUser, predownloadBody } from "../support/factories.js";
import { startStack, type Stack } from "../support/stack.js";

const DIRECTORY = [
  department("d1"),
  department("d2"),
  activity("a1", { department: "d1", customer: "c1" }),
  activity("a-call", { app: "calltrack", department: "d1", customer: "c1" }),
  attachment("att1", { activity: "a1" }),
  attachment("att-blocked", { activity: "a1", blocked: true }),
  attachment("att-call", { activity: "a-call", app: "calltrack", type: "attachment" }),
  attachment("att-orphan", { activity: "a-missing" }),
  departmentUser("u1", { homeDepartment: "d1" }),
  departmentUser("u-noaction", { actions: [] }),
  departmentUser("u-d2", { homeDepartment: "d2" }),
  globalUser("g-none"),
  customer("c1"),
  customer("c-other"),
  client("app1"),
  client("app-disabled", { enabled: false }),
];

const BODY = predownloadBody();

/** One request as a caller sends it; `token` names the actor a valid token is made for. */
interface Call {
  readonly token?: readonly [actor: string, sub: string];
  readonly rawToken?: string;
  readonly body?: unknown;
  readonly method?: string;
  readonly query?: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

interface Case {
  readonly name: string;
  readonly call: Call;
  readonly status: number;
  readonly outcome: string;
  readonly reason: string | null;
}

const CASES: Case[] = [
  { name: "issued to a client", call: { token: ["client", "app1"], body: BODY }, status: 200, outcome: "issued", reason: null },
  { name: "issued to a department user", call: { token: ["user", "u1"], body: BODY }, status: 200, outcome: "issued", reason: null },
  { name: "blocked", call: { token: ["client", "app1"], body: { ...BODY, altId: "att-blocked" } }, status: 200, outcome: "blocked", reason: "attachment_blocked" },
  { name: "denied: missing action", call: { token: ["user", "u-noaction"], body: BODY }, status: 403, outcome: "denied", reason: "missing_action" },
  { name: "denied: other department", call: { token: ["user", "u-d2"], body: BODY }, status: 403, outcome: "denied", reason: "outside_user_departments" },
  { name: "denied: global user without Administer", call: { token: ["user", "g-none"], body: BODY }, status: 403, outcome: "denied", reason: "no_department_administer" },
  { name: "denied: another customer's activity", call: { token: ["customer", "c-other"], body: BODY }, status: 403, outcome: "denied", reason: "not_customer_activity" },
  {
    name: "denied: calltrack to a customer",
    call: { token: ["customer", "c1"], body: { app: "calltrack", type: "attachment", altId: "att-call" } },
    status: 403,
    outcome: "denied",
    reason: "customer_calltrack",
  },
  { name: "not found: unknown altId", call: { token: ["client", "app1"], body: { ...BODY, altId: "nope" } }, status: 404, outcome: "not_found", reason: "unknown_attachment" },
  { name: "not found: other app", call: { token: ["client", "app1"], body: { ...BODY, app: "task" } }, status: 404, outcome: "not_found", reason: "app_mismatch" },
  { name: "not found: other type", call: { token: ["client", "app1"], body: { ...BODY, type: "attachment.outbound" } }, status: 404, outcome: "not_found", reason: "type_mismatch" },
  { name: "not found: missing activity", call: { token: ["client", "app1"], body: { ...BODY, altId: "att-orphan" } }, status: 404, outcome: "not_found", reason: "unknown_activity" },
  { name: "unauthenticated: unknown actor", call: { token: ["client", "ghost"], body: BODY }, status: 401, outcome: "unauthenticated", reason: "unknown_actor" },
  { name: "unauthenticated: disabled actor", call: { token: ["client", "app-disabled"], body: BODY }, status: 401, outcome: "unauthenticated", reason: "disabled_actor" },
  { name: "unauthenticated: no header", call: { body: BODY }, status: 401, outcome: "unauthenticated", reason: "401-104" },
  { name: "unauthenticated: forged token", call: { rawToken: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhcHAxIn0.c2lnbmF0dXJl", body: BODY }, status: 401, outcome: "unauthenticated", reason: "401-101" },
  { name: "invalid: unknown attribute", call: { token: ["client", "app1"], body: { ...BODY, colour: "red" } }, status: 400, outcome: "invalid", reason: "400-105" },
  { name: "invalid: missing attribute", call: { token: ["client", "app1"], body: { app: "email", type: "attachment" } }, status: 400, outcome: "invalid", reason: "400-104" },
  { name: "invalid: bad value", call: { token: ["client", "app1"], body: { ...BODY, app: "fax" } }, status: 400, outcome: "invalid", reason: "400-152" },
  { name: "invalid: not JSON", call: { token: ["client", "app1"], body: "{" }, status: 400, outcome: "invalid", reason: "400-102" },
  { name: "invalid: not an object", call: { token: ["client", "app1"], body: [BODY] }, status: 400, outcome: "invalid", reason: "400-103" },
  { name: "invalid: query parameter", call: { token: ["client", "app1"], body: BODY, query: "?debug=1" }, status: 400, outcome: "invalid", reason: "400-101" },
  { name: "invalid: wrong media type", call: { token: ["client", "app1"], body: "app=email", contentType: "text/plain" }, status: 415, outcome: "invalid", reason: "415-100" },
  { name: "invalid: body too large", call: { token: ["client", "app1"], body: { ...BODY, content: "x".repeat(17 * 1024) } }, status: 413, outcome: "invalid", reason: "413-100" },
  { name: "invalid: wrong method", call: { method: "GET" }, status: 405, outcome: "invalid", reason: "405-100" },
  { name: "invalid: unsupported language", call: { token: ["client", "app1"], body: BODY, headers: { "Accept-Language": "xx-XX" } }, status: 406, outcome: "invalid", reason: "406-100" },
  { name: "invalid: unsupported media type", call: { token: ["client", "app1"], body: BODY, headers: { Accept: "image/png" } }, status: 406, outcome: "invalid", reason: "406-101" },
];

function send(stack: Stack, call: Call, headers: Record<string, string>): Promise<Response> {
  const all: Record<string, string> = { "Content-Type": call.contentType ?? "application/json", ...call.headers, ...headers };
  const token = call.rawToken ?? (call.token === undefined ? undefined : stack.token(call.token[0], call.token[1]));
  if (token !== undefined) all.Authorization = `Bearer ${token}`;
  const body = call.body === undefined ? undefined : typeof call.body === "string" ? call.body : JSON.stringify(call.body);
  return fetch(`${stack.api.url}/assets/predownload${call.query ?? ""}`, { method: call.method ?? "POST", headers: all, body });
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Polls until `predicate` holds for the stack's events, or gives up after `ms`. */
async function eventsWhen(stack: Stack, predicate: (events: Array<Record<string, unknown>>) => boolean, ms = 5000): Promise<Array<Record<string, unknown>>> {
  const until = Date.now() + ms;
  let events = await stack.auditEvents();
  while (!predicate(events) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    events = await stack.auditEvents();
  }
  return events;
}

const byRequest = (events: Array<Record<string, unknown>>): Map<string, Array<[unknown, unknown]>> => {
  const map = new Map<string, Array<[unknown, unknown]>>();
  for (const e of events) map.set(e.requestId as string, [...(map.get(e.requestId as string) ?? []), [e.outcome, e.reason]]);
  return map;
};

describe("audit trail", () => {
  describe("every request leaves exactly its events", () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack();
      await stack.importLines(DIRECTORY);
    });
    after(async () => stack?.close());

    it("records a shuffled, concurrent mix of every worker and API outcome once each, under the response's X-Request-Id", async function () {
      this.timeout(30_000);
      const plan = shuffled([...CASES, ...CASES, ...CASES].map((c, i) => ({ ...c, requestId: `mix-${i}` })));
      const responses = await Promise.all(plan.map((c) => send(stack, c.call, { "X-Request-Id": c.requestId })));
      const bodies = await Promise.all(responses.map((r) => r.text()));

      for (const [i, c] of plan.entries()) {
        expect(responses[i]!.status, `${c.name}: ${bodies[i]}`).to.equal(c.status);
        expect(responses[i]!.headers.get("X-Request-Id")).to.equal(c.requestId);
      }
      const events = await eventsWhen(stack, (e) => e.length >= plan.length);
      const found = byRequest(events);
      for (const c of plan) expect(found.get(c.requestId), `${c.name} (${c.requestId})`).to.deep.equal([[c.outcome, c.reason]]);
      expect(events).to.have.length(plan.length);

      const covered = new Set(events.map((e) => e.outcome));
      expect([...AUDIT_OUTCOMES].filter((o) => !covered.has(o))).to.deep.equal(["unavailable", "error"]);
    });

    it("names the request id the API made up when the caller sent none or a malformed one", async () => {
      const plain = await send(stack, { token: ["client", "app1"], body: BODY }, {});
      const malformed = await send(stack, { body: BODY }, { "X-Request-Id": "not a valid id!" });
      const ids = [plain.headers.get("X-Request-Id"), malformed.headers.get("X-Request-Id")];
      expect(ids[1]).not.to.equal("not a valid id!");
      const found = byRequest(await eventsWhen(stack, (e) => ids.every((id) => e.some((x) => x.requestId === id))));
      expect(found.get(ids[0]!)).to.deep.equal([["issued", null]]);
      expect(found.get(ids[1]!)).to.deep.equal([["unauthenticated", "401-104"]]);
    });

    it("records who got what until when: actor, resolved attachment and the URL's expiry", async () => {
      const res = await send(stack, { token: ["user", "u1"], body: BODY }, { "X-Request-Id": "detail-1", "User-Agent": "console/1.0" });
      const body = (await res.json()) as { signedUrlExpiry: string };
      const [event] = (await stack.auditEvents()).filter((e) => e.requestId === "detail-1");
      expect(event).to.deep.include({
        outcome: "issued",
        reason: null,
        actor: { type: "user", id: "u1" },
        attachment: { app: "email", type: "attachment.inbound", altId: "att1", id: "id-att1", activity: "a1", department: "d1" },
        expiresAt: body.signedUrlExpiry,
      });
      expect(event!.client).to.deep.equal({ ip: (event!.client as { ip: string }).ip, userAgent: "console/1.0" });
      expect((event!.client as { ip: string }).ip).to.include("127.0.0.1");
    });

    it("holds no token, signature or signed URL, even when the caller puts them in its User-Agent", async () => {
      const token = stack.token("client", "app1");
      const issued = await send(stack, { token: ["client", "app1"], body: BODY }, {});
      const { contentUrl } = (await issued.json()) as { contentUrl: string };
      expect(contentUrl).to.match(/X-Amz-Signature=[0-9a-f]{64}/);
      const res = await send(stack, { rawToken: token, body: BODY }, { "X-Request-Id": "leaky-1", "User-Agent": `agent ${token} Bearer ${token} ${contentUrl}` });
      expect(res.status).to.equal(200);

      const raw = JSON.stringify(await stack.auditEvents());
      expect(raw).to.include("leaky-1");
      expect(raw).not.to.include(token);
      expect(raw).not.to.include(token.split(".")[2]!);
      expect(raw).not.to.include(contentUrl);
      expect(raw).not.to.match(/X-Amz-(Signature|Credential)=(?!\[redacted\])/);
      expect(raw).not.to.match(/eyJ[A-Za-z0-9_-]+\./);
    });

    it("leaves no event for a request Node's HTTP parser refuses before the application (431, 400)", async () => {
      const before = await stack.redis.xlen(stack.keys.auditStream);
      const { port } = new URL(stack.api.url);
      const raw = (request: string) =>
        new Promise<string>((resolve, reject) => {
          let answer = "";
          const socket = connect(Number(port), "127.0.0.1", () => socket.end(request));
          socket.setEncoding("utf8").on("data", (chunk: string) => (answer += chunk));
          socket.on("close", () => resolve(answer)).on("error", reject);
        });
      const head = "POST /assets/predownload HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n";
      expect(await raw(`${head}X-Padding: ${"a".repeat(17 * 1024)}\r\nContent-Length: 2\r\n\r\n{}`)).to.match(/^HTTP\/1\.1 431 /);
      expect(await raw(`${head}Content-Length: two\r\n\r\n{}`)).to.match(/^HTTP\/1\.1 400 /);
      expect(await stack.redis.xlen(stack.keys.auditStream)).to.equal(before);
    });
  });

  describe("outcomes decided without a worker's answer", () => {
    let stack: Stack;
    let failing: RunningWorker | undefined;
    before(async () => {
      // Short enough for the 503s, long enough for a worker's answer on a loaded machine.
      stack = await startStack({ worker: false, env: { REQUEST_TIMEOUT_MS: "3000" } });
      await stack.importLines(DIRECTORY);
    });
    after(async () => {
      await failing?.close();
      await stack?.close();
    });

    it("records unavailable when no worker answers in time, then deadline_passed when a worker picks the job up late", async function () {
      this.timeout(15_000);
      const ids = ["late-1", "late-2", "late-3"];
      const responses = await Promise.all(ids.map((id) => send(stack, { token: ["client", "app1"], body: BODY }, { "X-Request-Id": id })));
      expect(responses.map((r) => r.status)).to.deep.equal([503, 503, 503]);
      expect(byRequest(await stack.auditEvents())).to.deep.equal(new Map(ids.map((id) => [id, [["unavailable", "no_result_before_deadline"]]])));

      failing = await failingWorker(stack);
      const found = byRequest(await eventsWhen(stack, (e) => e.length >= 2 * ids.length));
      for (const id of ids) {
        expect(found.get(id)).to.deep.equal([
          ["unavailable", "no_result_before_deadline"],
          ["unavailable", "deadline_passed"],
        ]);
      }
    });

    it("records error when the worker cannot presign, and answers 500 without a second event", async function () {
      failing ??= await failingWorker(stack);
      const res = await send(stack, { token: ["client", "app1"], body: BODY }, { "X-Request-Id": "presign-fails-1" });
      expect(res.status).to.equal(500);
      expect(((await res.json()) as { code: string }).code).to.equal("500-100");
      const denied = await send(stack, { token: ["user", "u-d2"], body: BODY }, { "X-Request-Id": "presign-fails-2" });
      expect(denied.status).to.equal(403);
      const found = byRequest(await stack.auditEvents());
      expect(found.get("presign-fails-1")).to.deep.equal([["error", "presign_failed"]]);
      expect(found.get("presign-fails-2")).to.deep.equal([["denied", "outside_user_departments"]]);
    });
  });
});

/** A worker on the stack's queue whose presigner always fails, as when signing credentials cannot be loaded. */
function failingWorker(stack: Stack): Promise<RunningWorker> {
  return startWorker(stack.config, createLogger("test", "silent"), { presign: () => Promise.reject(new Error("credentials unavailable")) });
}
