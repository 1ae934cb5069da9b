/**
 * The OpenAPI document as a contract: real responses (status, media type, headers and body, XML
 * read back through the schema's types) validated against it.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import { expect } from "chai";
import { parseXml } from "./xml.js";

export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly items?: JsonSchema;
  readonly xml?: { readonly name?: string };
  readonly $ref?: string;
}
export interface HeaderObject {
  readonly required?: boolean;
  readonly schema: object;
}
export interface ResponseObject {
  readonly headers: Readonly<Record<string, HeaderObject>>;
  readonly content: Readonly<Record<string, { readonly schema: JsonSchema }>>;
}
export interface OpenApi {
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
export class Contract {
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
