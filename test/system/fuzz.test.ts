/**
 * Fuzzing the running API with what hostile callers send: random JSON, deep nesting, huge strings,
 * wrong types, prototype keys, binary garbage, wrong content types, random headers, methods and
 * paths, and garbled, forged or missing tokens. Whatever arrives, the API never answers 5xx,
 * never hangs, and answers 200 only to a genuine token for an (actor, attachment) pair the model
 * permits. The seed is fixed so that a failure reproduces; fast-check shrinks it.
 */
import { request } from "node:http";
import { connect } from "node:net";
import { expect } from "chai";
import fc from "fast-check";
import jwt from "jsonwebtoken";
import { activity, attachment, client, customer, department, departmentUser, globalUser, predownloadBody } from "../support/factories.js";
import { expected, type ModelRequest } from "../support/model.js";
import { startStack, TEST_SECRET, type Stack } from "../support/stack.js";
import { filled, largestHeaderValue, timedRequest } from "../support/timed-request.js";

const SEED = 31337;
/** Longer than the API's own deadline (REQUEST_TIMEOUT_MS below): an answer later than this is a hang. */
const REQUEST_TIMEOUT_MS = 2000;
const HANG_MS = REQUEST_TIMEOUT_MS + 2000;

const DIRECTORY = [
  department("d1"),
  department("d2"),
  departmentUser("u-dept", { homeDepartment: "d1" }),
  departmentUser("u-noaction", { homeDepartment: "d1", actions: [] }),
  departmentUser("u-off", { homeDepartment: "d1", enabled: false }),
  globalUser("g-admin", { departmentPermissions: [{ department: "d2", permission: "Administer" }] }),
  globalUser("g-priv", { privileges: ["Manage partition resources"] }),
  customer("c1", { canViewCustomers: ["c2"] }),
  customer("c2"),
  client("app1"),
  activity("a1", { department: "d1", customer: "c1" }),
  activity("a2", { department: "d2", customer: "c2", app: "task" }),
  activity("a3", { department: "d2", customer: "c1", app: "calltrack" }),
  attachment("x1", { activity: "a1" }),
  attachment("x2", { activity: "a2", app: "task", type: "attachment" }),
  attachment("x3", { activity: "a3", app: "calltrack", type: "attachment.outbound" }),
  attachment("x4", { activity: "a1", blocked: true, contentType: "text/html" }),
  attachment("x5", { activity: "a-missing" }),
];
const ACTORS = ["user", "customer", "client"] as const;
const SUBS = ["u-dept", "u-noaction", "u-off", "g-admin", "g-priv", "c1", "c2", "app1", "nobody"];
const ALT_IDS = ["x1", "x2", "x3", "x4", "x5", "x-none"];
const APPS = ["email", "task", "calltrack"] as const;
const TYPES = ["attachment.inbound", "attachment.outbound", "attachment"] as const;

interface Token {
  /** Only a genuine token, signed with the configured secret and unchanged, may ever get a 200. */
  readonly genuine: boolean;
  readonly header: string | undefined;
  readonly actor?: ModelRequest["actor"];
  readonly sub?: string;
}

interface Case {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly token: Token;
}

const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
const printable = (maxLength: number) => fc.string({ unit: "grapheme-ascii", maxLength });

/** Mostly actors of the directory under their own kind, sometimes any kind and id. */
const claimsArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...DIRECTORY.filter((l) => (ACTORS as readonly unknown[]).includes(l.kind)).map((l) => ({ actor: l.kind as ModelRequest["actor"], sub: l.id as string }))) },
  { weight: 1, arbitrary: fc.record({ actor: fc.constantFrom(...ACTORS), sub: fc.constantFrom(...SUBS) }) },
);
const sign = (claims: object, secret = TEST_SECRET, algorithm: jwt.Algorithm = "HS256") => jwt.sign(claims, secret, { algorithm, expiresIn: 300 });
const bearer = (token: string, genuine = false): Token => ({ genuine, header: `Bearer ${token}` });

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const tokenArb: fc.Arbitrary<Token> = fc.oneof(
  { weight: 16, arbitrary: claimsArb.map((c): Token => ({ ...bearer(sign(c), true), ...c })) },
  { weight: 1, arbitrary: fc.constant<Token>({ genuine: false, header: undefined }) },
  { weight: 1, arbitrary: printable(200).map((h): Token => ({ genuine: false, header: h })) },
  { weight: 1, arbitrary: printable(300).map((t) => bearer(t)) },
  {
    weight: 1,
    arbitrary: fc.tuple(claimsArb, fc.constantFrom("none", "None", "NONE", "nOnE")).map(([c, alg]) => bearer(`${part({ alg, typ: "JWT" })}.${part({ ...c, exp: Math.floor(Date.now() / 1000) + 300 })}.`)),
  },
  { weight: 1, arbitrary: claimsArb.map((c) => bearer(sign(c, "another-secret-that-is-at-least-32-bytes-long"))) },
  { weight: 1, arbitrary: claimsArb.map((c) => bearer(sign(c, TEST_SECRET, "HS384"))) },
  { weight: 1, arbitrary: claimsArb.map((c) => bearer(jwt.sign({ ...c, exp: Math.floor(Date.now() / 1000) - 3600 }, TEST_SECRET, { algorithm: "HS256" }))) },
  {
    weight: 2,
    // The payload of one genuine token under the header and signature of another.
    arbitrary: fc.tuple(claimsArb, claimsArb).map(([a, b]) => {
      const [header, , signature] = sign(a).split(".");
      return bearer(`${header}.${part({ ...b, exp: Math.floor(Date.now() / 1000) + 300 })}.${signature}`);
    }),
  },
  {
    weight: 2,
    // One character of a genuine token changed (never to itself).
    arbitrary: fc.tuple(claimsArb, fc.nat(), fc.nat({ max: BASE64URL.length - 2 })).map(([c, at, shift]) => {
      const token = sign(c);
      const i = at % token.length;
      const from = BASE64URL.indexOf(token[i]!);
      const to = token[i] === "." ? "A" : BASE64URL[(from + 1 + shift) % BASE64URL.length]!;
      return bearer(token.slice(0, i) + to + token.slice(i + 1));
    }),
  },
  { weight: 1, arbitrary: claimsArb.map((c) => bearer(sign(c).slice(0, -5))) },
);

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
/** Mostly an attachment of the directory under its own app and type, sometimes any combination. */
const validArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...DIRECTORY.filter((l) => l.kind === "attachment").map((l) => ({ app: l.app as string, type: l.type as string, altId: l.altId as string }))) },
  { weight: 1, arbitrary: fc.record({ app: fc.constantFrom(...APPS), type: fc.constantFrom(...TYPES), altId: fc.constantFrom(...ALT_IDS) }) },
);
const nest = (depth: number, open: string, close: string, inner = "") => open.repeat(depth) + inner + close.repeat(depth);

const bodyArb: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 20, arbitrary: validArb.map(json) },
  { weight: 2, arbitrary: fc.tuple(validArb, fc.dictionary(printable(12), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 3 })).map(([v, extra]) => json({ ...extra, ...v })) },
  {
    weight: 2,
    // One attribute of a valid body replaced by any JSON value: wrong types.
    arbitrary: fc.tuple(validArb, fc.constantFrom("app", "type", "altId", "size", "name", "link", "created", "inline", "signedUrlExpiry"), fc.jsonValue({ maxDepth: 3 })).map(([v, key, value]) =>
      json({ ...v, [key]: value }),
    ),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map(json) },
  {
    weight: 2,
    arbitrary: fc.tuple(validArb, fc.constantFrom("__proto__", "constructor", "prototype"), fc.boolean()).map(([v, key, nested]) => {
      const text = JSON.stringify(v).slice(0, -1);
      return Buffer.from(nested ? `${text},"link":{"rel":"self","${key}":{"admin":true}}}` : `${text},"${key}":{"admin":true}}`);
    }),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.integer({ min: 50, max: 7000 }), fc.constantFrom("array", "object", "attribute", "link")).map(([depth, where]) => {
      const deep = where === "object" ? nest(Math.min(depth, 2500), '{"a":', "}", "1") : nest(depth, "[", "]");
      if (where === "array" || where === "object") return Buffer.from(deep);
      return Buffer.from(where === "link" ? `{"app":"email","type":"attachment.inbound","altId":"x1","link":{"rel":${deep}}}` : `{"app":"email","type":"attachment.inbound","altId":${deep}}`);
    }),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(validArb, fc.constantFrom("content", "altId", "name", "fileName", "unknown"), fc.integer({ min: 100, max: 20_000 }), fc.constantFrom("a", "é", "📎", "\u0000", "\"")).map(([v, key, length, c]) =>
      json({ ...v, [key]: c.repeat(length) }),
    ),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 500 }).map((s) => Buffer.from(s)) },
);

const headerValue = printable(120);
const headersArb = fc.record(
  {
    contentType: fc.oneof(
      { weight: 16, arbitrary: fc.constant("application/json") },
      { weight: 4, arbitrary: fc.constantFrom("application/json; charset=utf-8", "application/JSON", "application/json; charset=utf-16", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/merge-patch+json", "") },
      { weight: 1, arbitrary: headerValue },
    ),
    requestId: headerValue,
    accept: fc.oneof({ weight: 6, arbitrary: fc.constantFrom("application/json", "*/*", "application/xml", "") }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom("text/html", "application/json;q=0"), headerValue) }),
    acceptLanguage: fc.oneof({ weight: 6, arbitrary: fc.constantFrom("en-US", "fr-FR, de-DE;q=0.5", "ja-JP", "*", "") }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom("xx-XX", "en-US;q=0"), headerValue) }),
    errorMessage: fc.constantFrom("yes", "no", "YES"),
    forwardedFor: headerValue,
    cookie: headerValue,
    other: fc.tuple(fc.stringMatching(/^X-[A-Za-z0-9-]{1,20}$/), headerValue),
  },
  { requiredKeys: ["contentType"] },
);

const METHODS = ["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"];
const PATHS = ["/assets/predownload?x=1", "/assets/predownload/", "/ASSETS/PREDOWNLOAD", "/assets/predownload%00", "/%", "//assets/predownload", "/assets/../assets/predownload", "/assets/predownload?access_token=x"];

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    method: fc.oneof({ weight: 12, arbitrary: fc.constant("POST") }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
    path: fc.oneof({ weight: 12, arbitrary: fc.constant("/assets/predownload") }, { weight: 1, arbitrary: fc.constantFrom(...PATHS) }),
    headers: headersArb,
    body: bodyArb,
    token: tokenArb,
  })
  .map(({ method, path, headers: h, body, token }) => {
    const headers: Record<string, string> = {};
    if (h.contentType !== "") headers["Content-Type"] = h.contentType;
    if (h.requestId !== undefined) headers["X-Request-Id"] = h.requestId;
    if (h.accept !== undefined && h.accept !== "") headers.Accept = h.accept;
    if (h.acceptLanguage !== undefined && h.acceptLanguage !== "") headers["Accept-Language"] = h.acceptLanguage;
    if (h.errorMessage !== undefined) headers["X-egain-error-message"] = h.errorMessage;
    if (h.forwardedFor !== undefined) headers["X-Forwarded-For"] = h.forwardedFor;
    if (h.cookie !== undefined) headers.Cookie = h.cookie;
    if (h.other !== undefined) headers[h.other[0]] = h.other[1];
    if (token.header !== undefined) headers.Authorization = token.header;
    return { method, path, headers, body, token };
  });

/** Header sizes compared: a short value, and the longest Node accepts (about 16 KiB). */
const SMALL_HEADER = 200;
/** How much slower a request at the size limit may be than a short one: generous, for a loaded machine. */
const FLAT_RATIO = 10;
/** Below this the baseline is noise, not cost: a short request may take 1 ms or 4. */
const MIN_BASELINE_MS = 5;

/**
 * Units repeated to fill each header: the shapes that cost the most (refusals followed by the
 * same range, long subtag chains, JWT- and credential-shaped text), and random lists of entries.
 */
const languageEntry = fc.constantFrom("en", "en;q=0", "fr-CA;q=0.5", "*", "*;q=0", "de-x-a", "zh-Hans-CN", "xx", "pt", "-a", "", " ");
const mediaEntry = fc.constantFrom("application/json;q=0", "application/xml", "*/*;q=0.1", "text/html", "application/*", "*/*", "a/b;c=d", "", ";q=1");
const textUnit = fc.oneof(
  printable(24),
  fc.constantFrom("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.", "Bearer ", "X-Amz-Signature=", "Mozilla/5.0 (X11; Linux x86_64) ", "a.b-c:d_", "aaaaaaaaaaaaaaaa."),
);
const HEADER_UNITS: Record<string, { known: string[]; random: fc.Arbitrary<string> }> = {
  "Accept-Language": { known: ["en;q=0,en,en,en,en,en,en,en,", "-a"], random: fc.array(languageEntry, { minLength: 1, maxLength: 6 }).map((e) => `${e.join(",")},`) },
  Accept: { known: ["application/json;q=0,", "*/*;q=0.1,text/html,"], random: fc.array(mediaEntry, { minLength: 1, maxLength: 6 }).map((e) => `${e.join(",")},`) },
  "X-Request-Id": { known: ["a", "eyJhbGciOiJIUzI1NiJ9."], random: textUnit.filter((u) => u.trim() !== "") },
  "User-Agent": { known: ["aaaaaaaaaaaaaaaaaaaa.", "Bearer eyJhbGciOiJIUzI1NiJ9."], random: textUnit.filter((u) => u.trim() !== "") },
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly ms: number;
}

function send(url: string, c: Case): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request(`${url}${c.path}`, { method: c.method, headers: { ...c.headers, "Content-Length": String(c.body.length) } });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${HANG_MS} ms`)), HANG_MS);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8"), ms: Date.now() - started });
      });
    });
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(c.body);
  });
}

/** What a 200 must be for: the attachment the body names, by the actor the genuine token names. */
function permitted(c: Case): boolean {
  if (!c.token.genuine || c.token.actor === undefined || c.token.sub === undefined) return false;
  const body = JSON.parse(c.body.toString("utf8")) as ModelRequest;
  const want = expected(DIRECTORY, { actor: c.token.actor, sub: c.token.sub, app: body.app, type: body.type, altId: body.altId });
  return want === "issued" || want === "blocked";
}

describe("fuzzing the running API", () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) } });
    await stack.importLines(DIRECTORY);
  });
  after(async () => stack?.close());

  it("never answers 5xx, never hangs, and answers 200 only to a genuine token for a permitted pair", async function () {
    this.timeout(60_000);
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const answer = await send(stack.api.url, c);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const context = `${c.method} ${c.path} ${JSON.stringify(c.headers)} ${c.body.toString("utf8").slice(0, 200)} -> ${answer.status} ${answer.text.slice(0, 300)}`;
        expect(answer.status, context).to.be.within(200, 499);
        expect(answer.ms, context).to.be.below(HANG_MS);
        expect(answer.headers["x-request-id"], context).to.be.a("string");
        expect(answer.headers["x-content-type-options"], context).to.equal("nosniff");
        expect(answer.headers["cache-control"], context).to.equal("no-store");
        expect(answer.text, context).not.to.match(/\bat [\w.<>]+ \(|node_modules|Error:/);
        if (answer.status === 200) {
          expect(c.method, context).to.equal("POST");
          expect(new URL(c.path, stack.api.url).search, context).to.equal("");
          expect(permitted(c), context).to.equal(true);
        }
      }),
      { seed: SEED, numRuns: 600 },
    );
    // The run must reach the worker and the refusals alike, or it proves little.
    expect(statuses.get(200) ?? 0, JSON.stringify([...statuses])).to.be.at.least(20);
    for (const status of [400, 401, 403, 404]) expect(statuses.get(status) ?? 0, `${status}: ${JSON.stringify([...statuses])}`).to.be.at.least(10);
  });

  it("spends about the same time on a request whatever the size of Accept, Accept-Language, X-Request-Id and User-Agent, up to Node's limit", async function () {
    this.timeout(120_000);
    const headers = { Authorization: `Bearer ${sign({ actor: "client", sub: "app1" })}` };
    const body = JSON.stringify({ app: "email", type: "attachment.inbound", altId: "x1" });
    for (const [name, units] of Object.entries(HEADER_UNITS)) {
      const largest = await largestHeaderValue(stack.api.url, name, { headers, body });
      // The same text at both sizes: only the size differs.
      const samples = [...units.known, ...fc.sample(units.random, { seed: SEED, numRuns: 6 })];
      const times = { small: [] as number[], large: [] as number[] };
      for (const unit of samples) {
        for (const [size, length] of [["small", SMALL_HEADER] as const, ["large", largest] as const]) {
          const value = filled(unit, length).trim();
          const answer = await timedRequest(stack.api.url, { headers: { ...headers, [name]: value }, body });
          expect(answer.status, `${name} of ${length}: ${value.slice(0, 60)}… -> ${answer.text.slice(0, 200)}`).to.be.within(200, 499);
          times[size].push(answer.ms);
        }
      }
      const small = Math.max(median(times.small), MIN_BASELINE_MS);
      const large = median(times.large);
      expect(large, `${name}: median ${large.toFixed(1)} ms at ${largest} characters against ${small.toFixed(1)} ms at ${SMALL_HEADER}; slowest ${Math.max(...times.large).toFixed(0)} ms`).to.be.below(small * FLAT_RATIO);
      expect(Math.max(...times.large), `${name}: slowest at ${largest} characters`).to.be.below(HANG_MS);
    }
  });

  it("survives garbage on the socket and still serves the next caller", async function () {
    this.timeout(30_000);
    const port = Number(new URL(stack.api.url).port);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 4096 }).map((b) => Buffer.from(b)), printable(2000).map((s) => Buffer.from(`POST /assets/predownload HTTP/1.1\r\n${s}\r\n\r\n`))), async (bytes) => {
        const reply = await new Promise<string>((resolve) => {
          const socket = connect(port, "127.0.0.1");
          let text = "";
          const timer = setTimeout(() => socket.destroy(), HANG_MS);
          socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
          socket.on("close", () => {
            clearTimeout(timer);
            resolve(text);
          });
          socket.on("error", () => undefined);
          socket.end(bytes);
        });
        const status = /^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1];
        if (status !== undefined) expect(Number(status), reply.slice(0, 200)).to.be.below(500);
      }),
      { seed: SEED, numRuns: 60 },
    );
    const res = await stack.post(predownloadBody({ altId: "x1" }), { token: stack.token("client", "app1") });
    expect(res.status).to.equal(200);
  });
});
