/**
 * The OpenAPI document served at /openapi.json, and every answer the service gives, each code in
 * JSON and in XML, validated against it: status, media type, headers and body.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import { expect } from "chai";
import Koa from "koa";
import { errors, standardHeaders } from "../api/middleware/errors.js";
import { negotiate } from "../api/middleware/negotiate.js";
import { requestId } from "../api/middleware/request-id.js";
import { predownloadSchema } from "../api/predownload/schema.js";
import { ApiError, ERROR_CODES } from "../shared/errors.js";
import { errorMessages, MESSAGES } from "../shared/messages/catalog.js";
import { createLogger } from "../shared/log.js";
import { activity, attachment, client, department, departmentUser, globalUser } from "./support/factories.js";
import { startStack, type Stack } from "./support/stack.js";
import { parseXml } from "./support/xml.js";

const BODY = { app: "email", type: "attachment.inbound", altId: "att1" };
const FORMATS = ["application/json", "application/xml"] as const;
type Format = (typeof FORMATS)[number];

interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly items?: JsonSchema;
  readonly xml?: { readonly name?: string };
  readonly $ref?: string;
}
interface HeaderObject {
  readonly required?: boolean;
  readonly schema: object;
}
interface ResponseObject {
  readonly headers: Readonly<Record<string, HeaderObject>>;
  readonly content: Readonly<Record<string, { readonly schema: JsonSchema }>>;
}
interface OpenApi {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, { responses: Record<string, ResponseObject>; requestBody: { content: Record<string, { schema: JsonSchema }> }; security: unknown[] }>>;
  readonly components: {
    readonly schemas: Record<string, JsonSchema>;
    readonly responses: Record<string, ResponseObject & { readonly description: string }>;
    readonly securitySchemes: Record<string, { type: string; scheme: string }>;
  };
}

/**
 * Reads a parsed XML body back to JSON data through the schema's types (`<size>12</size>` is 12);
 * null is already null (`xsi:nil`), and an empty element stays "".
 */
function decodeXml(value: unknown, schema: JsonSchema, components: Record<string, JsonSchema>): unknown {
  if (value === null) return null;
  const resolved = schema.$ref === undefined ? schema : components[schema.$ref.split("/").pop()!]!;
  const types = ([] as string[]).concat(resolved.type ?? []);
  if (types.includes("object")) {
    const fields = value === "" ? {} : (value as Record<string, unknown>);
    return Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, resolved.properties?.[name] ? decodeXml(field, resolved.properties[name], components) : field]));
  }
  if (types.includes("array")) {
    if (value === "") return [];
    const items = (value as Record<string, unknown[]>)[resolved.items!.xml!.name!];
    return (items ?? []).map((item) => decodeXml(item, resolved.items!, components));
  }
  if (types.includes("integer") && typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
  if (types.includes("boolean") && (value === "true" || value === "false")) return value === "true";
  return value;
}

/** Validates real responses against the served document. */
class Contract {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(readonly doc: OpenApi) {
    ajvFormats.default(this.ajv);
    this.ajv.addKeyword("xml");
    for (const [name, schema] of Object.entries(doc.components.schemas)) this.ajv.addSchema(schema, `#/components/schemas/${name}`);
  }

  validator(schema: object): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.compiled.get(key);
    if (validate === undefined) {
      validate = this.ajv.compile(schema);
      this.compiled.set(key, validate);
    }
    return validate;
  }

  /**
   * Checks status, media type, headers and body against the endpoint's operation, or against the
   * given response object; resolves the body as JSON data.
   */
  async check(res: Response, documented?: ResponseObject): Promise<Record<string, unknown>> {
    const text = await res.text();
    const response = documented ?? this.doc.paths["/assets/predownload"]?.post?.responses[String(res.status)];
    expect(response, `status ${res.status} is documented: ${text}`).to.not.equal(undefined);
    for (const [name, header] of Object.entries(response!.headers)) {
      const value = res.headers.get(name);
      if (value === null) {
        expect(header.required, `header ${name} on ${res.status}`).to.not.equal(true);
        continue;
      }
      const validate = this.validator(header.schema);
      expect(validate(value), `header ${name}: ${value} ${JSON.stringify(validate.errors)}`).to.equal(true);
    }
    const mediaType = (res.headers.get("Content-Type") ?? "").split(";")[0]!;
    const content = response!.content[mediaType];
    expect(content, `${mediaType} is documented for ${res.status}`).to.not.equal(undefined);
    let body: unknown;
    if (mediaType === "application/xml") {
      const parsed = parseXml(text);
      const root = this.doc.components.schemas[content!.schema.$ref!.split("/").pop()!]!.xml!.name!;
      expect(Object.keys(parsed), text).to.deep.equal([root]);
      body = decodeXml(parsed[root], content!.schema, this.doc.components.schemas);
    } else {
      body = JSON.parse(text) as unknown;
    }
    const validate = this.validator(content!.schema);
    expect(validate(body), `${text}\n${JSON.stringify(validate.errors)}`).to.equal(true);
    return body as Record<string, unknown>;
  }
}

/** A bare app with the service's own headers, negotiation and error renderer, for the errors nothing in the stack provokes on demand. */
async function rendererOnly(thrown: () => Error): Promise<{ url: string; server: Server }> {
  const app = new Koa();
  app.use(requestId());
  app.use(standardHeaders());
  app.use(errors(createLogger("test", "silent")));
  app.use(negotiate());
  app.use(async function fail() {
    throw thrown();
  });
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/assets/predownload`, server };
}

describe("OpenAPI document and contract", () => {
  let stack: Stack;
  let idle: Stack;
  let contract: Contract;
  let rateLimited: { url: string; server: Server };
  let failing: { url: string; server: Server };
  const tokens: Record<string, string> = {};

  before(async () => {
    [stack, idle] = await Promise.all([startStack(), startStack({ worker: false, env: { REQUEST_TIMEOUT_MS: "300" } })]);
    const lines = [
      department("d1"),
      client("app1"),
      departmentUser("u-no-action", { actions: [] }),
      globalUser("g-none"),
      activity("a1"),
      attachment("att1", { contentId: null, encodingType: "base64" }),
      attachment("att-blocked", { blocked: true }),
    ];
    await Promise.all([stack.importLines(lines), idle.importLines(lines)]);
    tokens.client = stack.token("client", "app1");
    tokens.noAction = stack.token("user", "u-no-action");
    tokens.globalNone = stack.token("user", "g-none");
    rateLimited = await rendererOnly(() => new ApiError("429-001", [{ key: "retryAfter", value: "2" }], { "Retry-After": "2" }));
    failing = await rendererOnly(() => new Error("secret cause: redis at 10.0.0.9 refused"));
    const res = await fetch(`${stack.api.url}/openapi.json`);
    contract = new Contract((await res.json()) as OpenApi);
  });
  after(async () => {
    rateLimited?.server.close();
    failing?.server.close();
    await Promise.all([stack?.close(), idle?.close()]);
  });

  describe("the document", () => {
    const documentResponse = (status: string) => contract.doc.paths["/openapi.json"]!.get!.responses[status]!;

    it("is served as JSON at GET /openapi.json with the standard headers", async () => {
      const res = await fetch(`${stack.api.url}/openapi.json`);
      expect(res.status).to.equal(200);
      expect(res.headers.get("Content-Type")).to.match(/^application\/json/);
      expect(res.headers.get("Cache-Control")).to.equal("no-store");
      expect(res.headers.get("X-Content-Type-Options")).to.equal("nosniff");
      expect(res.headers.get("Content-Language")).to.equal("en-US");
      expect(res.headers.get("X-Request-Id")).to.be.a("string");
      expect(contract.doc.openapi).to.equal("3.1.0");
    });

    it("answers 405-100 with Allow for another method on /openapi.json, in JSON and en-US", async () => {
      const res = await fetch(`${stack.api.url}/openapi.json`, { method: "DELETE", headers: { "Accept-Language": "ja-JP" } });
      expect(res.status).to.equal(405);
      expect(res.headers.get("Allow")).to.equal("GET, HEAD");
      expect(res.headers.get("Content-Language")).to.equal("en-US");
      const body = await contract.check(res, documentResponse("405"));
      expect(body.developerMessage).to.equal(errorMessages("en-US", "405-100", [{ key: "method", value: "DELETE" }, { key: "allowed", value: "GET, HEAD" }]).developerMessage);
    });

    for (const accept of ["application/xml", "text/html", "*/*, application/json;q=0", "application/xml, text/*;q=0.5"]) {
      it(`answers 406-101 in JSON on /openapi.json for Accept: ${accept}`, async () => {
        const res = await fetch(`${stack.api.url}/openapi.json`, { headers: { Accept: accept, "Accept-Language": "de-DE" } });
        expect(res.status).to.equal(406);
        expect(res.headers.get("Content-Type")).to.equal("application/json; charset=utf-8");
        expect(res.headers.get("Content-Language")).to.equal("en-US");
        const body = await contract.check(res, documentResponse("406"));
        expect(body).to.deep.include({ code: "406-101", developerMessage: MESSAGES["en-US"].errors["406-101"].developerMessage, details: [{ key: "header", value: "Accept" }] });
      });
    }

    for (const accept of ["application/json", "*/*", "application/*", "application/xml, application/json;q=0.1"]) {
      it(`serves the document for Accept: ${accept}`, async () => {
        const res = await fetch(`${stack.api.url}/openapi.json`, { headers: { Accept: accept } });
        expect(res.status).to.equal(200);
        expect((await contract.check(res, documentResponse("200"))).openapi).to.equal("3.1.0");
      });
    }

    for (const language of ["ja-JP", "tlh", "*;q=0", "en;q=0, fr"]) {
      it(`ignores Accept-Language: ${language} on /openapi.json and answers in en-US`, async () => {
        const res = await fetch(`${stack.api.url}/openapi.json`, { headers: { "Accept-Language": language } });
        expect(res.status).to.equal(200);
        expect(res.headers.get("Content-Language")).to.equal("en-US");
        await contract.check(res, documentResponse("200"));
      });
    }

    it("is a valid OpenAPI 3.1 document", async () => {
      const result = await new Validator().validate(structuredClone(contract.doc) as unknown as Record<string, unknown>);
      expect(result.errors, JSON.stringify(result.errors)).to.equal(undefined);
      expect(result.valid).to.equal(true);
    });

    it("publishes patterns that are ECMA-262 without flags and mean the same with the Unicode flag", () => {
      const patterns = new Set<string>();
      (function collect(node: unknown): void {
        if (Array.isArray(node)) node.forEach(collect);
        else if (typeof node === "object" && node !== null) {
          for (const [key, value] of Object.entries(node)) {
            if (key === "pattern" && typeof value === "string") patterns.add(value);
            else collect(value);
          }
        }
      })(contract.doc);
      expect(patterns.size).to.be.at.least(4);
      const samples = ["a", "Report Q3.pdf", "ü", "\u00a0", "\u0085", "\u2028", "\ud7ff", "\ue000", "\uffff", "😀", "a😀b", "\u{10ffff}", "\ud800", "\udc00", "a\ud83d", "\ude00\ud83d", "\u0007", "2026-11-28T03:10:00.000Z", "a.b:c_d-e&f@g h", "<", ""];
      for (const pattern of patterns) {
        const plain = new RegExp(pattern);
        const unicode = new RegExp(pattern, "u");
        for (const sample of samples) expect(plain.test(sample), `${pattern} on ${JSON.stringify(sample)}`).to.equal(unicode.test(sample));
      }
    });

    it("documents every error code, both media types on every response, and the security schemes", () => {
      const operation = contract.doc.paths["/assets/predownload"]!.post!;
      const documented = JSON.stringify(operation.responses);
      for (const code of ERROR_CODES.filter((c) => c !== "404-101")) expect(documented).to.include(code);
      const unknownRoute = contract.doc.components.responses.UnknownRoute!;
      expect(unknownRoute.description).to.include("404-101");
      expect(Object.keys(unknownRoute.content)).to.deep.equal([...FORMATS]);
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(Object.keys(response.content), status).to.deep.equal([...FORMATS]);
        expect(Object.keys(response.headers), status).to.include.members(["X-Request-Id", "Cache-Control", "X-Content-Type-Options", "Content-Language"]);
      }
      expect(operation.responses["401"]!.headers).to.have.property("WWW-Authenticate");
      expect(operation.responses["405"]!.headers).to.have.property("Allow");
      expect(operation.responses["503"]!.headers["Retry-After"]!.required).to.equal(true);
      expect(operation.security).to.deep.equal([{ oAuthUser: [] }, { oAuthClient: [] }]);
      expect(contract.doc.components.securitySchemes.oAuthUser).to.include({ type: "http", scheme: "bearer" });
      expect(contract.doc.components.securitySchemes.oAuthClient).to.include({ type: "http", scheme: "bearer" });
    });

    it("has a request schema that accepts and refuses exactly what the service's validation does, with or without the Unicode flag", () => {
      const schema = contract.doc.paths["/assets/predownload"]!.post!.requestBody.content["application/json"]!.schema;
      const withoutFlag = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, unicodeRegExp: false });
      ajvFormats.default(withoutFlag);
      withoutFlag.addKeyword("xml");
      for (const [name, component] of Object.entries(contract.doc.components.schemas)) withoutFlag.addSchema(component, `#/components/schemas/${name}`);
      const validators = { unicode: contract.validator(schema), plain: withoutFlag.compile(schema) };
      const bodies: unknown[] = [
        BODY,
        { ...BODY, name: "Quarterly report: Q3 & Q4 - final_v2 ü 😀.pdf", size: 0, inline: true, blocked: false, created: "2026-11-01T10:00:00.000+01:00" },
        { ...BODY, link: { rel: "self", href: "/assets/att1" }, fileName: "x", contentType: "a/b", encodingType: "", charset: "utf-8", contentId: "c", contentUrl: "u", content: "", messageText: "m", id: "1" },
        { ...BODY, signedUrlExpiry: "2026-11-28T03:10:00Z" },
        { app: "email", type: "attachment.inbound" },
        { ...BODY, colour: "red" },
        { ...BODY, link: { rel: "self", extra: 1 } },
        { ...BODY, app: "fax" },
        { ...BODY, type: "attachment.sideways" },
        { ...BODY, size: "12" },
        { ...BODY, size: -1 },
        { ...BODY, size: 1.5 },
        { ...BODY, size: Number.MAX_SAFE_INTEGER + 2 },
        { ...BODY, inline: "true" },
        { ...BODY, name: "a<b>.pdf" },
        { ...BODY, name: "" },
        { ...BODY, name: "a".repeat(256) },
        { ...BODY, name: "a".repeat(255) },
        { ...BODY, signedUrlExpiry: "tomorrow" },
        { ...BODY, created: "28/11/2026" },
        { ...BODY, altId: "" },
        { ...BODY, altId: "x".repeat(129) },
        { ...BODY, altId: "att\u00001" },
        { ...BODY, altId: 42 },
        { ...BODY, app: null },
        { ...BODY, fileName: "a\u0007b" },
        { ...BODY, fileName: "x".repeat(1025) },
        { ...BODY, id: "x".repeat(129) },
        { ...BODY, messageText: "line\u2028break" },
        { ...BODY, contentId: null, encodingType: null, charset: null },
        { ...BODY, fileName: null },
        { ...BODY, size: null },
        { ...BODY, link: null },
        { ...BODY, contentId: 7 },
        { ...BODY, name: "😀.pdf" },
        { ...BODY, name: "\u{10ffff}" },
        { ...BODY, name: "\u0085.pdf" },
        { ...BODY, name: "a\ud800.pdf" },
        { ...BODY, name: "a\udc00" },
        { ...BODY, name: "\ude00\ud83d" },
        { ...BODY, altId: "att-😀" },
        { ...BODY, altId: "att\ud800" },
        { ...BODY, altId: "\udfff" },
        { ...BODY, fileName: "x\ud83d.pdf" },
        { ...BODY, content: "bell\u0007 and 😀" },
        { ...BODY, content: "lone \ud800 high" },
        { ...BODY, content: "lone \udc00 low" },
      ];
      for (const body of bodies) {
        const expected = predownloadSchema.isValidSync(body, { abortEarly: false });
        for (const [mode, validate] of Object.entries(validators)) expect(validate(body), `${mode} ${JSON.stringify(body)}`).to.equal(expected);
      }
    });
  });

  interface Case {
    readonly code: string;
    readonly send: (headers: Record<string, string>) => Promise<Response>;
  }
  const post = (body: unknown, token: string | undefined, headers: Record<string, string>) => stack.post(body, { token, headers });
  const CASES: readonly Case[] = [
    { code: "400-101", send: (h) => fetch(`${stack.api.url}/assets/predownload?x=1`, { method: "POST", headers: { ...h, "Content-Type": "application/json", Authorization: `Bearer ${tokens.client}` }, body: JSON.stringify(BODY) }) },
    { code: "400-102", send: (h) => post('{"app":', tokens.client, h) },
    { code: "400-103", send: (h) => post("[1]", tokens.client, h) },
    { code: "400-104", send: (h) => post({ app: "email", type: "attachment.inbound" }, tokens.client, h) },
    { code: "400-105", send: (h) => post({ ...BODY, colour: "red" }, tokens.client, h) },
    { code: "400-152", send: (h) => post({ ...BODY, app: "fax" }, tokens.client, h) },
    { code: "401-101", send: (h) => post(BODY, `${tokens.client!}x`, h) },
    { code: "401-104", send: (h) => post(BODY, undefined, h) },
    { code: "403-105", send: (h) => post(BODY, tokens.globalNone, h) },
    { code: "403-178", send: (h) => post(BODY, tokens.noAction, h) },
    { code: "404-100", send: (h) => post({ ...BODY, altId: "missing" }, tokens.client, h) },
    { code: "404-101", send: (h) => fetch(`${stack.api.url}/assets/elsewhere`, { method: "POST", headers: h }) },
    { code: "405-100", send: (h) => fetch(`${stack.api.url}/assets/predownload`, { method: "PUT", headers: h }) },
    { code: "406-100", send: (h) => post(BODY, tokens.client, { ...h, "Accept-Language": "tlh, x-klingon;q=0.5" }) },
    { code: "406-101", send: (h) => post(BODY, tokens.client, { ...h, Accept: "text/html" }) },
    { code: "413-100", send: (h) => post({ ...BODY, content: "x".repeat(17 * 1024) }, tokens.client, h) },
    { code: "415-100", send: (h) => stack.post("app=email", { token: tokens.client, headers: { ...h, "Content-Type": "application/x-www-form-urlencoded" } }) },
    { code: "429-001", send: (h) => fetch(rateLimited.url, { method: "POST", headers: h }) },
    { code: "500-100", send: (h) => fetch(failing.url, { method: "POST", headers: h }) },
    { code: "503-100", send: (h) => idle.post(BODY, { token: tokens.client, headers: h }) },
  ];

  it("has a case below for every code in the catalog", () => {
    expect(CASES.map((c) => c.code)).to.deep.equal([...ERROR_CODES]);
  });

  for (const format of FORMATS) {
    describe(`every answer in ${format}`, () => {
      for (const { code, send } of CASES) {
        it(`answers ${code} as documented`, async () => {
          const res = await send({ Accept: format, "X-egain-error-message": "yes" });
          const expected: Format = code === "406-101" ? "application/json" : format;
          expect(res.status).to.equal(Number(code.slice(0, 3)));
          expect(res.headers.get("Content-Type")).to.equal(`${expected}; charset=utf-8`);
          const body = await contract.check(res, code === "404-101" ? contract.doc.components.responses.UnknownRoute : undefined);
          expect(body.code).to.equal(code);
          expect(body.userMessage).to.be.a("string");
          if (code === "500-100") expect(JSON.stringify(body)).not.to.match(/secret|redis|10\.0\.0\.9/);
          if (code === "401-101") expect(res.headers.get("WWW-Authenticate")).to.equal('Bearer error="invalid_token"');
          if (code === "401-104") expect(res.headers.get("WWW-Authenticate")).to.equal("Bearer");
          if (code === "405-100") expect(res.headers.get("Allow")).to.equal("POST");
          if (code === "503-100" || code === "429-001") expect(res.headers.get("Retry-After")).to.match(/^\d+$/);
          if (code === "403-178") expect(body.details).to.deep.equal([{ key: "action", value: "View Agent Console" }]);
          if (code === "400-104") expect(body.details).to.deep.equal([{ key: "attribute", value: "altId" }]);
        });
      }

      it("answers 200 with a signed URL as documented", async () => {
        const body = await contract.check(await post(BODY, tokens.client, { Accept: format }));
        expect(body).to.include({ altId: "att1", blocked: false, size: 11, inline: false, contentId: null, encodingType: "base64" });
        expect(body.contentUrl).to.be.a("string").and.match(/^http/);
      });

      it("answers 200 for a blocked attachment, without a URL, as documented", async () => {
        const body = await contract.check(await post({ ...BODY, altId: "att-blocked" }, tokens.client, { Accept: format }));
        expect(body).to.include({ blocked: true });
        expect(body).not.to.have.any.keys("contentUrl", "signedUrlExpiry");
        expect(body.messageText).to.be.a("string");
      });
    });
  }
});
