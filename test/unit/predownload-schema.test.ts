/** The predownload request schema on its own: every string it takes is bounded, each below the body limit. */
import { expect } from "chai";
import { MAX_BODY_BYTES } from "../../api/middleware/json-body.js";
import { predownloadSchema, validatePredownload } from "../../api/routes/predownload/schema.js";
import { predownloadBody } from "../support/factories.js";

const BODY = predownloadBody();

describe("the predownload request schema", () => {
  it("bounds every string attribute of the schema, each to at most the body limit", () => {
    const strings: Array<[string, number]> = [];
    const visit = (fields: Record<string, unknown>, prefix: string) => {
      for (const [name, field] of Object.entries(fields)) {
        const description = field as { type: string; oneOf: unknown[]; tests: Array<{ name?: string; params?: { max?: number } }>; fields?: Record<string, unknown> };
        if (description.type === "object") visit(description.fields ?? {}, `${prefix}${name}.`);
        if (description.type !== "string") continue;
        // An enumeration is bounded by its longest value.
        const max = description.oneOf.length > 0 ? Math.max(...description.oneOf.map((v) => String(v).length)) : description.tests.find((t) => t.name === "max")?.params?.max;
        expect(max, `${prefix}${name} has a maximum length`).to.be.a("number");
        expect(max!, `${prefix}${name}`).to.be.at.most(MAX_BODY_BYTES);
        strings.push([`${prefix}${name}`, max!]);
      }
    };
    visit(predownloadSchema.describe().fields, "");
    expect(strings.length).to.be.at.least(15);
    for (const [path, max] of strings) {
      const [outer, inner] = path.split(".") as [string, string | undefined];
      const value = "a".repeat(max + 1);
      const body = inner === undefined ? { ...BODY, [outer]: value } : { ...BODY, [outer]: { [inner]: value } };
      expect(() => validatePredownload(body), path).to.throw().with.property("code", "400-152");
    }
  });
});
