/** The benchmark's seeded directory and request mix: big enough, every kind of actor, and mostly URLs issued. */
import { expect } from "chai";
import { buildDirectory, buildRequests } from "../../bench/seed.js";
import { TEST_SECRET } from "../support/secrets.js";

describe("the seeded directory and request mix", () => {
  const seed = buildDirectory();
  const specs = buildRequests(seed, TEST_SECRET);

  it("holds at least 100k attachments and 1k actors, of every kind", () => {
    expect(seed.attachments.length).to.be.at.least(100_000);
    expect(seed.actors.length).to.be.at.least(1000);
    const kinds = new Set(seed.actors.map((a) => (a.type === "user" ? `user:${a.record.userType}` : a.type)));
    expect([...kinds].sort()).to.deep.equal(["client", "customer", "user:department", "user:global"]);
    const apps = new Set(seed.attachments.map((a) => a.app));
    expect([...apps].sort()).to.deep.equal(["calltrack", "email", "task"]);
  });

  it("asks for at least 70% issued URLs and includes every other outcome", () => {
    const count = (outcome: string) => specs.filter((s) => s.outcome === outcome).length;
    expect(count("issued") / specs.length).to.be.at.least(0.7);
    for (const outcome of ["blocked", "denied", "not_found", "invalid"]) expect(count(outcome), outcome).to.be.greaterThan(0);
  });
});
