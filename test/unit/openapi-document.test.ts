/**
 * The OpenAPI document the API serves at /openapi.json, as a document: valid OpenAPI 3.1, patterns
 * that mean the same with and without the Unicode flag, every error code documented, and a request
 * schema that agrees with the service's own validation.
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import { expect } from "chai";
import { OPENAPI_DOCUMENT } from "../../api/routes/openapi/document.js";
import { predownloadSchema } from "../../api/routes/predownload/schema.js";
import { ERROR_CODES } from "../../api/errors/catalog.js";
import { predownloadBody } from "../support/factories.js";
import { Contract, type OpenApi } from "../support/openapi.js";

const BODY = predownloadBody();
const FORMATS = ["application/json", "application/xml"] as const;

describe("the OpenAPI document", () => {
  // As served: the JSON text of the document, read back.
  const contract = new Contract(JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)) as OpenApi);

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
    // Every code is answered by some operation: the predownload's, or (403-106, 404-102, 409-100, 415-101, 422-100) the directory API's.
    const documented = JSON.stringify(contract.doc.paths);
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
