/** AUDIT_RETENTION_DAYS: its default, what it refuses, and the oldest stream id a retention keeps. */
import { expect } from "chai";
import { auditMinId } from "../../shared/domain/audit.js";
import { ConfigError, loadConfig } from "../../shared/runtime/config.js";
import { configEnv } from "../support/factories.js";

const DAY_MS = 24 * 3600 * 1000;
const VALID = configEnv();

describe("AUDIT_RETENTION_DAYS", () => {
  it("defaults to 7 days and takes a whole number of days", () => {
    expect(loadConfig(VALID).auditRetentionDays).to.equal(7);
    expect(loadConfig({ ...VALID, AUDIT_RETENTION_DAYS: "400" }).auditRetentionDays).to.equal(400);
  });

  for (const bad of ["0", "1.5", "seven", "-3", "3651"]) {
    it(`refuses AUDIT_RETENTION_DAYS=${bad}, naming it`, () => {
      expect(() => loadConfig({ ...VALID, AUDIT_RETENTION_DAYS: bad }))
        .to.throw(ConfigError)
        .with.property("problems")
        .that.satisfies((problems: string[]) => problems.some((p) => p.startsWith("AUDIT_RETENTION_DAYS:")));
    });
  }

  it("turns a retention into the stream id of the oldest moment kept", () => {
    const now = Date.parse("2026-11-28T03:00:00.000Z");
    expect(auditMinId(7, now)).to.equal(`${now - 7 * DAY_MS}-0`);
  });
});
