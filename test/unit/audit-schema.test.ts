/** The published audit event schema (schema/audit-event.schema.json): the code's outcomes and reasons, and the audit docs'. */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { ADMIN_OUTCOMES, ADMIN_ROUTES, AUDIT_OUTCOMES, AUDIT_REASONS } from "../../shared/domain/audit.js";

describe("the published audit event schema", () => {
  const published = JSON.parse(readFileSync(new URL("../../schema/audit-event.schema.json", import.meta.url), "utf8")) as { $defs: { predownload: unknown; admin: unknown } };
  const schema = published.$defs.predownload as {
    properties: { outcome: { enum: string[] } };
    allOf: Array<{ if: { properties: { outcome: { const: string } } }; then: { properties: { reason: { enum?: string[]; anyOf?: Array<{ enum?: string[] }> } } } }>;
  };

  it("lists the outcomes and the named reasons the code produces", () => {
    expect(schema.properties.outcome.enum).to.deep.equal([...AUDIT_OUTCOMES]);
    for (const outcome of AUDIT_OUTCOMES) {
      const rule = schema.allOf.find((r) => r.if.properties.outcome.const === outcome);
      const reason = rule?.then.properties.reason;
      const named = reason?.enum ?? reason?.anyOf?.flatMap((a) => a.enum ?? []) ?? [];
      expect(named, outcome).to.deep.equal([...AUDIT_REASONS[outcome]]);
    }
  });

  it("lists the outcomes and routes of admin call events the code produces, each documented", () => {
    const admin = published.$defs.admin as { properties: { outcome: { enum: string[] }; request: { properties: { route: { enum: string[] } } } } };
    expect(admin.properties.outcome.enum).to.deep.equal([...ADMIN_OUTCOMES]);
    expect(admin.properties.request.properties.route.enum).to.deep.equal([...ADMIN_ROUTES]);
    const section = readFileSync(new URL("../../docs/audit.md", import.meta.url), "utf8");
    for (const outcome of ADMIN_OUTCOMES) expect(section, outcome).to.include(`\`${outcome}\``);
  });

  it("is documented in docs/audit.md, every named reason included", () => {
    const section = readFileSync(new URL("../../docs/audit.md", import.meta.url), "utf8");
    expect(section).to.include("schema/audit-event.schema.json");
    for (const reason of Object.values(AUDIT_REASONS).flat()) expect(section, reason).to.include(`\`${reason}\``);
  });
});
