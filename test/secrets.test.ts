/**
 * No token, signature or signed URL in logs, audit events, error bodies or anything else the
 * service leaves in Redis. The logs are captured at the most verbose level while the service
 * issues URLs, refuses tokens and bodies, and fails on a corrupt record.
 */
import { createHmac, randomBytes } from "node:crypto";
import { expect } from "chai";
import jwt from "jsonwebtoken";
import { createLogger, scrub } from "../shared/log.js";
import { activity, attachment, client, customer, department, departmentUser } from "./support/factories.js";
import { startStack, TEST_SECRET, type Stack } from "./support/stack.js";

const BODY = { app: "email", type: "attachment.inbound", altId: "att1" };
const SIGNED_URL = "https://bucket.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20261128%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE&X-Amz-Signature=0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
const SIGNATURE = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

class Capture {
  text = "";
  write(line: string): void {
    this.text += line;
  }
}

/** Every piece of a secret that must not appear: the whole value and its signature part. */
function secretParts(token: string): string[] {
  return [token, token.split(".")[2] ?? ""].filter((s) => s.length >= 16);
}

/**
 * An HS256 token whose header is `header` verbatim. JSON allows whitespace, so a header written
 * `{ "alg": "HS256" }` is as valid as jsonwebtoken's own, and encodes to `eyAi…` instead of `eyJ…`.
 */
function tokenWithHeader(header: string, claims: Record<string, unknown>, secret = TEST_SECRET): string {
  const signingInput = `${Buffer.from(header).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  return `${signingInput}.${createHmac("sha256", secret).update(signingInput).digest("base64url")}`;
}

const SPACED_HEADER = '{ "alg": "HS256", "typ": "JWT" }';
const inFiveMinutes = () => Math.floor(Date.now() / 1000) + 300;

describe("secrets", () => {
  describe("the logger", () => {
    const token = jwt.sign({ actor: "client", sub: "app1" }, TEST_SECRET, { algorithm: "HS256", expiresIn: 60 });

    it("writes neither tokens nor signatures, whatever field, depth or message holds them", () => {
      const capture = new Capture();
      const log = createLogger("test", "trace", capture);
      log.info({ authorization: `Bearer ${token}`, headers: { authorization: `Bearer ${token}` }, req: { headers: { authorization: `Bearer ${token}` } } }, "headers");
      log.info({ token, result: { contentUrl: SIGNED_URL }, contentUrl: SIGNED_URL, url: SIGNED_URL }, "known fields");
      log.info({ deep: { a: { b: { c: { location: SIGNED_URL, auth: token, note: `Bearer ${token}` } } } } }, "any field at any depth");
      log.error({ err: new Error(`GET ${SIGNED_URL} failed; sent Authorization: Bearer ${token}`) }, "an error");
      log.warn(`free text with ${token} and ${SIGNED_URL}`);
      log.debug({ list: [SIGNED_URL, token] }, "arrays");

      const lines = capture.text.trim().split("\n");
      expect(lines).to.have.length(6);
      for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.to.throw();
      for (const secret of [...secretParts(token), SIGNATURE, SIGNED_URL, "FQoGZXIvYXdzEXAMPLE"]) expect(capture.text).not.to.include(secret);
      expect(capture.text).to.include("[redacted]");
      // What is not secret survives, so the logs stay useful.
      expect(capture.text).to.include("bucket.s3.amazonaws.com/k");
      expect(capture.text).to.include("an error");
    });

    it("redacts a JWT whatever its header's JSON looks like, and keeps ordinary User-Agents whole", () => {
      const claims = { actor: "client", sub: "app1", exp: inFiveMinutes() };
      const tokens = [
        tokenWithHeader(SPACED_HEADER, claims),
        tokenWithHeader(' {"alg":"HS256"}', claims),
        tokenWithHeader('{\n  "alg": "HS256"\n}', claims),
        `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.`,
        token,
      ];
      expect(tokens[0]).to.match(/^eyAi/);
      for (const t of tokens) {
        for (const text of [`agent/1.0 ${t}`, `x=${t};`, `some-long-dotted-prefix.${t}`, JSON.stringify({ note: `line\n${t}` })]) {
          const scrubbed = scrub(text);
          for (const secret of [t, ...secretParts(t)]) expect(scrubbed, text).not.to.include(secret);
          expect(scrubbed).to.include("[redacted]");
        }
      }
      const ordinary = [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
        "Dalvik/2.1.0 (Linux; U; Android 14; SM-S918B Build/UP1A.231005.007)",
        "okhttp/4.12.0",
        "curl/8.5.0",
        "console/3.2.1 (build 2026.11.28.1742; com.example.support-console.desktop)",
        "order-service-production.eu-west-1.a1b2c3d4e5f6a7b8c9d0",
        "see example-domain-name.co. or exportedfunctionname.js.map",
      ];
      for (const ua of ordinary) expect(scrub(ua)).to.equal(ua);
    });
  });

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
});
