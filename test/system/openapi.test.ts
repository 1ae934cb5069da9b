/**
 * The OpenAPI document served at /openapi.json, and every answer the service gives, each code in
 * JSON and in XML, validated against it: status, media type, headers and body. (The document on
 * its own: test/unit/openapi-document.test.ts.)
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import Koa from "koa";
import { errors, standardHeaders } from "../../api/middleware/errors.js";
import { negotiate } from "../../api/middleware/negotiate.js";
import { requestId } from "../../api/middleware/request-id.js";
import { OPENAPI_DOCUMENT } from "../../api/routes/openapi/document.js";
import { ApiError, ERROR_CODES } from "../../api/errors/catalog.js";
import { errorMessages, MESSAGES } from "../../api/errors/messages/catalog.js";
import { createLogger } from "../../shared/runtime/log.js";
import { activity, attachment, client, department, departmentUser, globalUser, predownloadBody } from "../support/factories.js";
import { Contract, type OpenApi } from "../support/openapi.js";
import { startStack, type Stack } from "../support/stack.js";

const BODY = predownloadBody();
const FORMATS = ["application/json", "application/xml"] as const;
type Format = (typeof FORMATS)[number];

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
  /** Grant mode, one use per link. */
  let grants: Stack;
  let contract: Contract;
  let rateLimited: { url: string; server: Server };
  let failing: { url: string; server: Server };
  let slow: { url: string; server: Server };
  const tokens: Record<string, string> = {};

  before(async () => {
    [stack, idle, grants] = await Promise.all([
      startStack(),
      startStack({ worker: false, env: { REQUEST_TIMEOUT_MS: "300" } }),
      startStack({ env: { CONTENT_URL_MODE: "grant", PUBLIC_BASE_URL: "https://files.example.test", GRANT_MAX_USES: "1" } }),
    ]);
    const lines = [
      department("d1"),
      client("app1"),
      departmentUser("u-no-action", { actions: [] }),
      globalUser("g-none"),
      activity("a1"),
      attachment("att1", { contentId: null, encodingType: "base64" }),
      attachment("att-blocked", { blocked: true }),
    ];
    await Promise.all([stack.importLines(lines), idle.importLines(lines), grants.importLines([...lines, attachment("att-later")])]);
    tokens.client = stack.token("client", "app1");
    tokens.noAction = stack.token("user", "u-no-action");
    tokens.globalNone = stack.token("user", "g-none");
    rateLimited = await rendererOnly(() => new ApiError("429-001", [{ key: "retryAfter", value: "2" }], { "Retry-After": "2" }));
    failing = await rendererOnly(() => new Error("secret cause: redis at 10.0.0.9 refused"));
    slow = await rendererOnly(() => new ApiError("408-100", [], { Connection: "close" }));
    const res = await fetch(`${stack.api.url}/openapi.json`);
    contract = new Contract((await res.json()) as OpenApi);
  });
  after(async () => {
    rateLimited?.server.close();
    failing?.server.close();
    slow?.server.close();
    await Promise.all([stack?.close(), idle?.close(), grants?.close()]);
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
      expect(contract.doc).to.deep.equal(JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)));
    });

    it("answers 405-100 with Allow for another method on /openapi.json, in JSON and en-US", async () => {
      const res = await fetch(`${stack.api.url}/openapi.json`, { method: "DELETE", headers: { "Accept-Language": "ja-JP" } });
      expect(res.status).to.equal(405);
      expect(res.headers.get("Allow")).to.equal("GET, HEAD");
      expect(res.headers.get("Content-Language")).to.equal("en-US");
      const body = await contract.check(res, documentResponse("405"));
      expect(body.developerMessage).to.equal(errorMessages("en-US", "405-100", [{ key: "method", value: "DELETE" }, { key: "allowed", value: "GET, HEAD" }]).developerMessage);
    });

    // The whole Accept table for this JSON-only resource: test/unit/negotiation.test.ts.
    for (const accept of ["application/xml", "*/*, application/json;q=0"]) {
      it(`answers 406-101 in JSON on /openapi.json for Accept: ${accept}`, async () => {
        const res = await fetch(`${stack.api.url}/openapi.json`, { headers: { Accept: accept, "Accept-Language": "de-DE" } });
        expect(res.status).to.equal(406);
        expect(res.headers.get("Content-Type")).to.equal("application/json; charset=utf-8");
        expect(res.headers.get("Content-Language")).to.equal("en-US");
        const body = await contract.check(res, documentResponse("406"));
        expect(body).to.deep.include({ code: "406-101", developerMessage: MESSAGES["en-US"].errors["406-101"].developerMessage, details: [{ key: "header", value: "Accept" }] });
      });
    }

    for (const accept of ["*/*", "application/xml, application/json;q=0.1"]) {
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

  });

  interface Case {
    readonly code: string;
    readonly send: (headers: Record<string, string>) => Promise<Response>;
    /** The operation that answers it, when not the predownload endpoint. */
    readonly operation?: { readonly path: string; readonly method: "get" | "put" | "delete" | "post" };
  }
  const DOWNLOAD = { path: "/assets/download/{grant}", method: "get" } as const;
  const REVOCATIONS = { path: "/assets/revocations", method: "post" } as const;
  /** A fresh download link of `altId` in the grant-mode stack: its grant. */
  const freshGrant = async (altId = "att1") => {
    const res = await grants.post(predownloadBody({ altId }), { token: grants.token("client", "app1") });
    return ((await res.json()) as { contentUrl: string }).contentUrl.split("/").pop()!;
  };
  const redeem = (grant: string, headers: Record<string, string>) => fetch(`${grants.api.url}/assets/download/${grant}`, { headers, redirect: "manual" });
  const revoke = (body: unknown, scope: string, headers: Record<string, string>) =>
    fetch(`${grants.api.url}/assets/revocations`, { method: "POST", headers: { ...headers, "Content-Type": "application/json", Authorization: `Bearer ${grants.token("client", "admin", { scope })}` }, body: JSON.stringify(body) });
  const admin = () => stack.token("client", "admin", { scope: "directory:read directory:write" });
  const directory = (method: string, path: string, headers: Record<string, string>, token: string, body?: string, type = "application/json") =>
    fetch(`${stack.api.url}${path}`, { method, headers: { ...headers, Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "Content-Type": type }) }, body });
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
    { code: "403-106", send: (h) => directory("GET", "/directory/client/app1", h, tokens.client!), operation: { path: "/directory/{kind}/{id}", method: "get" } },
    {
      code: "403-107",
      operation: DOWNLOAD,
      send: async (h) => {
        await grants.importLines([attachment("att-later")]);
        const grant = await freshGrant("att-later");
        await grants.importLines([attachment("att-later", { blocked: true })]);
        return redeem(grant, h);
      },
    },
    { code: "403-178", send: (h) => post(BODY, tokens.noAction, h) },
    { code: "404-100", send: (h) => post({ ...BODY, altId: "missing" }, tokens.client, h) },
    { code: "404-101", send: (h) => fetch(`${stack.api.url}/assets/elsewhere`, { method: "POST", headers: h }) },
    { code: "404-102", send: (h) => directory("GET", "/directory/client/nobody", h, admin()), operation: { path: "/directory/{kind}/{id}", method: "get" } },
    { code: "404-103", operation: DOWNLOAD, send: (h) => redeem("A".repeat(32), h) },
    { code: "405-100", send: (h) => fetch(`${stack.api.url}/assets/predownload`, { method: "PUT", headers: h }) },
    { code: "406-100", send: (h) => post(BODY, tokens.client, { ...h, "Accept-Language": "tlh, x-klingon;q=0.5" }) },
    { code: "406-101", send: (h) => post(BODY, tokens.client, { ...h, Accept: "text/html" }) },
    { code: "408-100", send: (h) => fetch(slow.url, { method: "POST", headers: h }) },
    {
      code: "409-100",
      send: async (h) => {
        await directory("PUT", "/directory/client/versioned", {}, admin(), JSON.stringify({ version: 5 }));
        return directory("PUT", "/directory/client/versioned", h, admin(), JSON.stringify({ version: 4 }));
      },
      operation: { path: "/directory/{kind}/{id}", method: "put" },
    },
    {
      code: "410-100",
      operation: DOWNLOAD,
      send: async (h) => {
        const grant = await freshGrant();
        await revoke({ grant }, "grants:revoke", {});
        return redeem(grant, h);
      },
    },
    {
      code: "410-101",
      operation: DOWNLOAD,
      send: async (h) => {
        const grant = await freshGrant();
        expect((await redeem(grant, {})).status).to.equal(302);
        return redeem(grant, h);
      },
    },
    { code: "413-100", send: (h) => post({ ...BODY, content: "x".repeat(17 * 1024) }, tokens.client, h) },
    { code: "415-100", send: (h) => stack.post("app=email", { token: tokens.client, headers: { ...h, "Content-Type": "application/x-www-form-urlencoded" } }) },
    { code: "415-101", send: (h) => directory("POST", "/directory/import", h, admin(), "{}"), operation: { path: "/directory/import", method: "post" } },
    { code: "422-100", send: (h) => directory("POST", "/directory/import", h, admin(), "{not json", "application/x-ndjson"), operation: { path: "/directory/import", method: "post" } },
    { code: "429-001", send: (h) => fetch(rateLimited.url, { method: "POST", headers: h }) },
    { code: "500-100", send: (h) => fetch(failing.url, { method: "POST", headers: h }) },
    { code: "503-100", send: (h) => idle.post(BODY, { token: tokens.client, headers: h }) },
  ];

  it("has a case below for every code in the catalog", () => {
    expect(CASES.map((c) => c.code)).to.deep.equal([...ERROR_CODES]);
  });

  for (const format of FORMATS) {
    describe(`every answer in ${format}`, () => {
      for (const { code, send, operation } of CASES) {
        it(`answers ${code} as documented`, async () => {
          const res = await send({ Accept: format, "X-egain-error-message": "yes" });
          const expected: Format = code === "406-101" ? "application/json" : format;
          expect(res.status).to.equal(Number(code.slice(0, 3)));
          expect(res.headers.get("Content-Type")).to.equal(`${expected}; charset=utf-8`);
          const documented = code === "404-101" ? contract.doc.components.responses.UnknownRoute : operation === undefined ? undefined : contract.doc.paths[operation.path]![operation.method]!.responses[String(res.status)];
          const body = await contract.check(res, documented);
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
