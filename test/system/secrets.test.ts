/**
 * No token, signature or signed URL in logs, audit events, error bodies or anything else the
 * service leaves in Redis. The logs are captured at the most verbose level while the service
 * issues URLs, refuses tokens and bodies, and fails on a corrupt record.
 */
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { expect } from "chai";
import jwt from "jsonwebtoken";
import { createLogger } from "../../shared/runtime/log.js";
import { activity, attachment, client, customer, department, departmentUser, predownloadBody } from "../support/factories.js";
import { Capture } from "../support/log-capture.js";
import { inFiveMinutes, secretParts, SPACED_HEADER, TEST_SECRET, tokenWithHeader } from "../support/secrets.js";
import { startStack, type Stack } from "../support/stack.js";

const BODY = predownloadBody();

describe("secrets", () => {
  describe("through the whole service, logging at trace level", () => {
    const capture = new Capture();
    let stack: Stack;
    const seen: string[] = [];
    const answers: Array<{ status: number; text: string }> = [];

    before(async function () {
      this.timeout(30_000);
      stack = await startStack({ env: { LOG_LEVEL: "trace", REQUEST_TIMEOUT_MS: "1500" }, logDestination: capture });
      await stack.importLines([
        department("d1"),
        department("d2"),
        client("app1"),
        customer("c1"),
        departmentUser("u1", { homeDepartment: "d2" }),
        activity("a1"),
        attachment("att1"),
        attachment("blocked", { blocked: true }),
      ]);

      const genuine = stack.token("client", "app1");
      const post = async (body: unknown, options: { token?: string; headers?: Record<string, string> } = {}) => {
        const res = await stack.post(body, options);
        const text = await res.text();
        answers.push({ status: res.status, text });
        return { res, text };
      };

      const issued = await post(BODY, { token: genuine });
      expect(issued.res.status, issued.text).to.equal(200);
      const contentUrl = (JSON.parse(issued.text) as { contentUrl: string }).contentUrl;
      const signature = new URL(contentUrl).searchParams.get("X-Amz-Signature")!;
      seen.push(contentUrl, signature, ...secretParts(genuine));

      const refused = [
        jwt.sign({ actor: "client", sub: "app1" }, "another-secret-that-is-at-least-32-bytes-long", { algorithm: "HS256", expiresIn: 60 }),
        jwt.sign({ actor: "client", sub: "app1", exp: Math.floor(Date.now() / 1000) - 3600 }, TEST_SECRET, { algorithm: "HS256" }),
        jwt.sign({ actor: "client", sub: "app1" }, TEST_SECRET, { algorithm: "HS384", expiresIn: 60 }),
        jwt.sign({ actor: "admin", sub: "app1" }, TEST_SECRET, { algorithm: "HS256", expiresIn: 60 }),
        stack.token("client", "nobody"),
      ];
      for (const token of refused) {
        seen.push(...secretParts(token));
        expect((await post(BODY, { token })).res.status).to.equal(401);
      }
      // A token the API accepts although it does not start with eyJ, sent back in the User-Agent.
      const spaced = tokenWithHeader(SPACED_HEADER, { actor: "client", sub: "app1", exp: inFiveMinutes() });
      seen.push(...secretParts(spaced));
      const spacedAnswer = await post(BODY, { token: spaced, headers: { "User-Agent": `agent/1.0 ${spaced}` } });
      expect(spacedAnswer.res.status, spacedAnswer.text).to.equal(200);

      const customerToken = stack.token("customer", "c1");
      const userToken = stack.token("user", "u1");
      seen.push(...secretParts(customerToken), ...secretParts(userToken));
      await post({ ...BODY, altId: "blocked" }, { token: genuine });
      await post(BODY, { token: userToken });
      await post({ ...BODY, altId: "missing" }, { token: customerToken });

      // Secrets where they do not belong: the body, other headers, the query string.
      await post({ ...BODY, content: genuine, contentUrl }, { token: genuine });
      await post({ ...BODY, colour: genuine }, { token: genuine });
      await post(`{"app":"email","altId":"${genuine}",`, { token: genuine });
      await post({ ...BODY, content: `${genuine} `.repeat(200) }, { token: genuine });
      await post(BODY, { headers: { Authorization: `Bearer ${genuine} ${contentUrl}` } });
      const query = await fetch(`${stack.api.url}/assets/predownload?access_token=${genuine}&url=${encodeURIComponent(contentUrl)}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(BODY),
      });
      answers.push({ status: query.status, text: await query.text() });

      // A record the worker cannot read: its failure is logged, with the record's text in the error.
      // Its job fails and BullMQ keeps it, payload and all, with the caller's User-Agent and request id.
      await stack.redis.set(stack.keys.record("attachment", "corrupt"), `{Bearer ${genuine} ${contentUrl}`);
      const shortToken = jwt.sign({ n: 1 }, TEST_SECRET, { noTimestamp: true });
      const shortSpaced = tokenWithHeader(SPACED_HEADER, { n: 1 });
      seen.push(...secretParts(shortToken), ...secretParts(shortSpaced));
      await post({ ...BODY, altId: "corrupt" }, { token: genuine, headers: { "User-Agent": `agent/1.0 ${genuine} (${spaced})`, "X-Request-Id": shortToken } });
      await post({ ...BODY, altId: "corrupt" }, { token: spaced, headers: { "User-Agent": `agent/1.0 ${spaced}`, "X-Request-Id": shortSpaced } });
    });
    after(async () => stack?.close());

    it("captured the service's logs", () => {
      expect(capture.text.length).to.be.greaterThan(0);
    });

    it("keeps tokens, signatures and signed URLs out of every log line", () => {
      for (const secret of seen) expect(capture.text).not.to.include(secret);
      expect(capture.text).not.to.match(/X-Amz-Signature=(?!\[redacted\])/);
    });

    it("keeps them out of every error body", () => {
      const errors = answers.filter((a) => a.status !== 200);
      expect(errors.length).to.be.at.least(10);
      for (const { text } of errors) for (const secret of seen) expect(text).not.to.include(secret);
    });

    it("keeps them out of every audit event", async () => {
      const events = JSON.stringify(await stack.auditEvents());
      for (const secret of seen) expect(events).not.to.include(secret);
      expect(events).not.to.include("X-Amz-");
    });

    /** The text of every key the service left in Redis, keyed by name, less the result keys (short-lived by design). */
    async function stored(): Promise<Map<string, string>> {
      const values = new Map<string, string>();
      let cursor = "0";
      do {
        const [next, keys] = await stack.redis.scan(cursor, "MATCH", `${stack.keys.prefix}:*`, "COUNT", 1000);
        cursor = next;
        for (const key of keys) {
          if (key.startsWith(`${stack.keys.prefix}:result:`) || key === stack.keys.record("attachment", "corrupt")) continue;
          const type = await stack.redis.type(key);
          if (type === "string") values.set(key, (await stack.redis.get(key)) ?? "");
          if (type === "hash") values.set(key, JSON.stringify(await stack.redis.hgetall(key)));
          if (type === "list") values.set(key, JSON.stringify(await stack.redis.lrange(key, 0, -1)));
          if (type === "zset") values.set(key, JSON.stringify(await stack.redis.zrange(key, "0", "-1")));
          if (type === "stream") values.set(key, JSON.stringify(await stack.redis.xrange(key, "-", "+")));
        }
      } while (cursor !== "0");
      return values;
    }

    it("keeps them out of the directory, the queue's jobs and the audit stream in Redis", async () => {
      const values = await stored();
      values.delete(`${stack.keys.prefix}:sign:events`);
      expect(values.size).to.be.greaterThan(0);
      for (const [key, text] of values) for (const secret of seen) expect(text, key).not.to.include(secret);
    });

    it("keeps them out of the queue's job hashes, the failed jobs' payloads included", async () => {
      const queue = `${stack.keys.prefix}:sign`;
      const failed = await stack.redis.zrange(`${queue}:failed`, "0", "-1");
      expect(failed, "the corrupt record's jobs failed and were kept").to.have.length.of.at.least(2);
      const jobs: string[] = [];
      let cursor = "0";
      do {
        const [next, keys] = await stack.redis.scan(cursor, "MATCH", `${queue}:*`, "COUNT", 1000);
        cursor = next;
        for (const key of keys) if ((await stack.redis.type(key)) === "hash") jobs.push(key);
      } while (cursor !== "0");
      for (const id of failed) expect(jobs).to.include(`${queue}:${id}`);
      for (const key of jobs) {
        const job = await stack.redis.hgetall(key);
        if (failed.includes(key.slice(queue.length + 1))) expect(JSON.parse(job.data!), key).to.have.nested.property("client.userAgent").that.includes("agent/1.0");
        for (const secret of seen) expect(JSON.stringify(job), key).not.to.include(secret);
      }
    });

    // BullMQ copies a job's return value into its events stream, which lives until trimmed.
    it("keeps them out of the queue's events stream", async () => {
      const events = (await stored()).get(`${stack.keys.prefix}:sign:events`) ?? "";
      for (const secret of seen) expect(events).not.to.include(secret);
    });

    it("keeps a token a caller put in its User-Agent out of the audit event", async () => {
      const token = stack.token("client", "app1");
      const res = await stack.post(BODY, { token, headers: { "User-Agent": `agent ${token}` } });
      const requestId = res.headers.get("X-Request-Id");
      const events = (await stack.auditEvents()).filter((e) => e.requestId === requestId);
      expect(events).to.have.length(1);
      expect(JSON.stringify(events)).not.to.include(token.split(".")[2]!);
    });
  });

  describe("caller text that holds a credential", () => {
    let stack: Stack;
    let genuine: string;
    let spaced: string;
    /** A credential of no known shape, only recognisable as the one this request presented. */
    const opaque = `opaque${randomBytes(20).toString("hex")}`;
    before(async () => {
      stack = await startStack();
      await stack.importLines([department("d1"), client("app1"), customer("c1"), activity("a1"), attachment("att1")]);
      genuine = stack.token("client", "app1");
      spaced = tokenWithHeader(SPACED_HEADER, { actor: "client", sub: "app1", exp: inFiveMinutes() });
    });
    after(async () => stack?.close());

    const eventsOf = async (requestId: string | null) => (await stack.auditEvents()).filter((e) => e.requestId === requestId);

    describe("X-Request-Id", () => {
      const cases: Array<[string, () => { id: string; authorization?: string }]> = [
        ["a JWT", () => ({ id: jwt.sign({ n: 1 }, TEST_SECRET, { noTimestamp: true }) })],
        ["a JWT whose header starts with a space", () => ({ id: tokenWithHeader(SPACED_HEADER, { n: 1 }) })],
        ["the token the request presented, of no known shape", () => ({ id: opaque, authorization: `Bearer ${opaque}` })],
        ["an id that holds the token the request presented", () => ({ id: `req:${opaque}:1`, authorization: `Bearer ${opaque}` })],
      ];
      for (const [name, make] of cases) {
        it(`replaces ${name} with a fresh id, in the response and in the audit event`, async () => {
          const { id, authorization } = make();
          expect(id.length).to.be.at.most(128);
          expect(id).to.match(/^[A-Za-z0-9._:-]+$/);
          const res = await stack.post(BODY, { headers: { "X-Request-Id": id, ...(authorization === undefined ? {} : { Authorization: authorization }) } });
          const answered = res.headers.get("X-Request-Id");
          expect(answered).to.match(/^[0-9a-f-]{36}$/);
          expect(await res.text()).not.to.include(id);
          expect(await eventsOf(answered)).to.have.length(1);
          expect(JSON.stringify(await stack.auditEvents())).not.to.include(id);
        });
      }

      it("still echoes a dotted id that only looks like a JWT", async () => {
        const id = "order-service-production.eu-west-1.a1b2c3d4e5f6a7b8c9d0";
        const res = await stack.post(BODY, { token: genuine, headers: { "X-Request-Id": id } });
        expect(res.status).to.equal(200);
        expect(res.headers.get("X-Request-Id")).to.equal(id);
      });
    });

    it("keeps the presented token out of the audit event's User-Agent, whatever its shape", async () => {
      const res = await stack.post(BODY, { headers: { Authorization: `Bearer ${opaque}`, "User-Agent": `agent/1.0 (${opaque})` } });
      expect(res.status).to.equal(401);
      const [event] = await eventsOf(res.headers.get("X-Request-Id"));
      expect(event).to.have.nested.property("client.userAgent", "agent/1.0 ([redacted])");
    });

    describe("error details that quote the caller", () => {
      const endpoint = () => `${stack.api.url}/assets/predownload`;
      const cases: Array<[string, number, string, (secret: string) => { url: string; body?: unknown }]> = [
        ["a query parameter's name", 400, "400-101", (secret) => ({ url: `${endpoint()}?${secret}=1` })],
        ["the path", 404, "404-101", (secret) => ({ url: `${stack.api.url}/assets/${secret}` })],
        ["an unknown attribute's name", 400, "400-105", (secret) => ({ url: endpoint(), body: { ...BODY, [secret]: 1 } })],
      ];
      for (const [where, status, code, request] of cases) {
        for (const accept of ["application/json", "application/xml"]) {
          it(`never echoes a token in ${where} (${code}, ${accept})`, async () => {
            // The attribute is only read once the token is accepted, so that case presents a valid one.
            const secrets: Array<{ secret: string; authorization: string }> = [
              { secret: genuine, authorization: `Bearer ${genuine}` },
              { secret: spaced, authorization: `Bearer ${spaced}` },
              ...(code === "400-105" ? [] : [{ secret: opaque, authorization: `Bearer ${opaque}` }]),
            ];
            for (const { secret, authorization } of secrets) {
              const { url, body } = request(secret);
              const res = await fetch(url, {
                method: "POST",
                headers: { "Content-Type": "application/json", Accept: accept, Authorization: authorization },
                body: JSON.stringify(body ?? BODY),
              });
              const text = await res.text();
              expect(res.status, text).to.equal(status);
              expect(text).to.include(code);
              for (const part of [secret, ...secretParts(secret)]) expect(text).not.to.include(part);
              expect(text).to.include("[redacted]");
            }
          });
        }
      }

      it("bounds what it quotes", async () => {
        const long = "a".repeat(3000);
        const path = await fetch(`${stack.api.url}/${long}`, { method: "POST" });
        const attribute = await stack.post({ ...BODY, [long]: 1 }, { token: genuine });
        for (const [res, code] of [[path, "404-101"], [attribute, "400-105"]] as const) {
          const body = (await res.json()) as { code: string; details: Array<{ value: string }> };
          expect(body.code).to.equal(code);
          expect(body.details[0]!.value.length).to.be.within(1, 256);
        }
      });
    });
  });

  describe("caller text in the audit trail, the queue and the logs", () => {
    /** Raw control characters: C0 (a line's own end aside), DEL, C1, U+2028/2029. */
    // eslint-disable-next-line no-control-regex
    const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
    const capture = new Capture();
    let stack: Stack;
    before(async () => {
      // No worker: the jobs stay in the queue, payload and all, to be looked at.
      stack = await startStack({ worker: false, env: { LOG_LEVEL: "trace", REQUEST_TIMEOUT_MS: "400" }, logDestination: capture });
      await stack.importLines([department("d1"), client("app1"), client("k"), activity("a1"), attachment("att1")]);
    });
    after(async () => stack?.close());

    /** A POST through node:http, which sends header bytes 0x80-0xff as given (fetch refuses them). */
    function rawPost(body: unknown, headers: Record<string, string>): Promise<{ status: number; requestId: string }> {
      const text = JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = request(
          `${stack.api.url}/assets/predownload`,
          { method: "POST", headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers } },
          (res) => {
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode!, requestId: String(res.headers["x-request-id"]) }));
          },
        );
        req.on("error", reject);
        req.end(text);
      });
    }

    /** The payload of every job waiting in the sign queue. */
    async function jobPayloads(): Promise<Array<Record<string, unknown>>> {
      const queue = `${stack.keys.shards[0]!.queuePrefix}:sign`;
      const ids = await stack.redis.lrange(`${queue}:wait`, 0, -1);
      return Promise.all(ids.map(async (id) => JSON.parse((await stack.redis.hget(`${queue}:${id}`, "data"))!) as Record<string, unknown>));
    }

    /** Every value the stack keeps in Redis under its prefix, as text. */
    async function everythingInRedis(): Promise<string> {
      const keys = await stack.redis.keys(`${stack.keys.prefix}:*`);
      const texts = await Promise.all(
        keys.map(async (key) => {
          const type = await stack.redis.type(key);
          if (type === "string") return (await stack.redis.get(key)) ?? "";
          if (type === "hash") return JSON.stringify(await stack.redis.hgetall(key));
          if (type === "list") return JSON.stringify(await stack.redis.lrange(key, 0, -1));
          if (type === "zset") return JSON.stringify(await stack.redis.zrange(key, "0", "-1"));
          if (type === "stream") return JSON.stringify(await stack.redis.xrange(key, "-", "+"));
          return "";
        }),
      );
      return texts.join("\n");
    }

    it("redacts a token sent as altId in the job and the audit event, and keeps it nowhere in Redis", async () => {
      // Short enough to pass as an altId (at most 128 characters): the presented token itself, and another.
      const genuine = tokenWithHeader('{"alg":"HS256"}', { actor: "client", sub: "k", exp: inFiveMinutes() });
      const other = jwt.sign({ actor: "user", sub: "u9" }, TEST_SECRET, { algorithm: "HS256", noTimestamp: true });
      for (const token of [genuine, other]) expect(token.length).to.be.at.most(128);
      for (const altId of [genuine, other]) {
        const res = await stack.post({ ...BODY, altId }, { token: genuine });
        expect(res.status).to.equal(503);
        const [event] = (await stack.auditEvents()).filter((e) => e.requestId === res.headers.get("X-Request-Id"));
        expect(event).to.have.nested.property("attachment.altId", "[redacted]");
      }
      const payloads = await jobPayloads();
      expect(payloads.map((p) => p.altId)).to.deep.equal(["[redacted]", "[redacted]"]);
      const stored = await everythingInRedis();
      for (const secret of [...secretParts(genuine), ...secretParts(other)]) expect(stored).not.to.include(secret);
      for (const secret of [...secretParts(genuine), ...secretParts(other)]) expect(capture.text).not.to.include(secret);
    });

    it("never lets C1 controls or U+2028 from User-Agent, altId or X-Request-Id reach events, jobs or log lines raw", async () => {
      const genuine = stack.token("client", "app1");
      // Header values are read as Latin-1, so C1 controls arrive, and U+2028's UTF-8 bytes as C1 too.
      const userAgent = "agent/1.0 \u0085line\u009b2J \u00e2\u0080\u00a8";
      const requestIds = ["id\u0085x", "id\u00e2\u0080\u00a8x"];
      const bodies = [BODY, { ...BODY, altId: "att\u2028x" }, { ...BODY, altId: "att\u0085x" }, { ...BODY, altId: "att\u2029\u001bx" }];
      const statuses: number[] = [];
      for (const body of bodies) {
        for (const requestId of requestIds) {
          for (const token of [genuine, undefined]) {
            const authorization: Record<string, string> = token === undefined ? {} : { Authorization: `Bearer ${token}` };
            statuses.push((await rawPost(body, { "User-Agent": userAgent, "X-Request-Id": requestId, ...authorization })).status);
          }
        }
      }
      expect(new Set(statuses)).to.deep.equal(new Set([503, 400, 401]));
      const events = await stack.auditEvents();
      expect(events.length).to.be.at.least(bodies.length * requestIds.length * 2);
      const eventText = JSON.stringify(events.map((e) => e.client));
      // Escaped, visible: the C1 bytes arrive (node:http sends UTF-8, the server reads Latin-1) and show as \\u0085.
      expect(eventText).to.include("\\\\u0085line").and.include("\\\\u009b2J");
      for (const event of events) {
        // Parsed, as a consumer reads them: no field holds a control character.
        const values = JSON.stringify(event, (_, v: unknown) => (typeof v === "string" && RAW_CONTROL.test(v) ? `RAW:${JSON.stringify(v)}` : v));
        expect(values).not.to.include("RAW:");
      }
      for (const payload of await jobPayloads()) {
        const values = JSON.stringify(payload, (_, v: unknown) => (typeof v === "string" && RAW_CONTROL.test(v) ? `RAW:${JSON.stringify(v)}` : v));
        expect(values).not.to.include("RAW:");
      }
      expect(capture.text.length).to.be.greaterThan(0);
      expect(capture.text).not.to.match(RAW_CONTROL);
    });

    it("writes log lines with control characters escaped, whatever field holds them", () => {
      const lines = new Capture();
      const log = createLogger("test", "info", lines);
      log.info({ userAgent: "a\u0085b\u2028c\u2029d\u007fe\u001bf" }, "msg\u009b2J");
      expect(lines.text).not.to.match(RAW_CONTROL);
      expect(JSON.parse(lines.text)).to.include({ userAgent: "a\u0085b\u2028c\u2029d\u007fe\u001bf", msg: "msg\u009b2J" });
    });
  });
});
