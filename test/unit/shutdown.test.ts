/** The shutdown registry: order, bounds, failures, and what it logs. */
import { expect } from "chai";
import { createLogger } from "../../shared/runtime/log.js";
import { Shutdown } from "../../shared/runtime/shutdown.js";
import { Capture } from "../support/log-capture.js";

function registry(): { shutdown: Shutdown; capture: Capture } {
  const capture = new Capture();
  return { shutdown: new Shutdown(createLogger("test", "info", capture)), capture };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const never = () => new Promise<void>(() => undefined);

describe("shutdown registry", () => {
  it("runs steps in reverse order of registration: what was created last closes first", async () => {
    const { shutdown } = registry();
    const ran: string[] = [];
    for (const name of ["redis", "queues", "http"]) shutdown.add(name, () => void ran.push(name), { boundMs: 100 });
    await shutdown.close();
    expect(ran).to.deep.equal(["http", "queues", "redis"]);
  });

  it("runs the intake phase, then drain, then release, whatever the order of registration", async () => {
    const { shutdown } = registry();
    const ran: string[] = [];
    shutdown.add("redis", () => void ran.push("redis"), { boundMs: 100 });
    shutdown.add("timer", () => void ran.push("timer"), { boundMs: 100, phase: "intake" });
    shutdown.add("jobs", () => void ran.push("jobs"), { boundMs: 100, phase: "drain" });
    shutdown.add("queues", () => void ran.push("queues"), { boundMs: 100, phase: "release" });
    shutdown.add("listener", () => void ran.push("listener"), { boundMs: 100, phase: "intake" });
    await shutdown.close();
    expect(ran).to.deep.equal(["listener", "timer", "jobs", "queues", "redis"]);
  });

  it("waits for each step before the next one starts", async () => {
    const { shutdown } = registry();
    const ran: string[] = [];
    shutdown.add("second", () => void ran.push("second"), { boundMs: 1000 });
    shutdown.add("first", async () => {
      await sleep(30);
      ran.push("first");
    }, { boundMs: 1000 });
    await shutdown.close();
    expect(ran).to.deep.equal(["first", "second"]);
  });

  it("leaves a step behind at its bound, logs it by name, runs its fallback and goes on", async () => {
    const { shutdown, capture } = registry();
    const ran: string[] = [];
    shutdown.add("redis", () => void ran.push("redis"), { boundMs: 100 });
    shutdown.add("active jobs", never, { boundMs: 50, phase: "drain", overrun: () => void ran.push("forced") });
    const started = performance.now();
    const reports = await shutdown.close();
    expect(performance.now() - started).to.be.below(1000);
    expect(ran).to.deep.equal(["forced", "redis"]);
    expect(reports.map((r) => [r.name, r.outcome])).to.deep.equal([["active jobs", "overran"], ["redis", "done"]]);
    const warning = capture.lines().find((line) => line.step === "active jobs");
    expect(warning).to.include({ level: "warn", boundMs: 50, phase: "drain" });
    expect(warning!.msg).to.include("did not finish within 50 ms");
  });

  it("bounds a fallback that hangs too", async () => {
    const { shutdown, capture } = registry();
    shutdown.add("stuck", never, { boundMs: 40, overrun: never });
    const started = performance.now();
    expect((await shutdown.close())[0]!.outcome).to.equal("overran");
    expect(performance.now() - started).to.be.below(1000);
    expect(capture.lines().filter((line) => line.step === "stuck")).to.have.length(2);
  });

  it("logs a step that fails, and goes on with the next", async () => {
    const { shutdown, capture } = registry();
    const ran: string[] = [];
    shutdown.add("redis", () => void ran.push("redis"), { boundMs: 100 });
    shutdown.add("heartbeat", () => Promise.reject(new Error("connection is closed")), { boundMs: 100 });
    shutdown.add("sync", () => {
      throw new Error("already stopped");
    }, { boundMs: 100 });
    const reports = await shutdown.close();
    expect(reports.map((r) => r.outcome)).to.deep.equal(["failed", "failed", "done"]);
    expect(ran).to.deep.equal(["redis"]);
    const failures = capture.lines().filter((line) => line.level === "warn");
    expect(failures.map((line) => line.step)).to.deep.equal(["sync", "heartbeat"]);
    expect((failures[1]!.err as { message: string }).message).to.equal("connection is closed");
  });

  it("is logged only when a step runs over or fails", async () => {
    const { shutdown, capture } = registry();
    shutdown.add("quick", () => sleep(5), { boundMs: 1000 });
    await shutdown.close();
    expect(capture.text).to.equal("");
  });

  it("runs every step once however often close() is called, and takes no step after it started", async () => {
    const { shutdown } = registry();
    let runs = 0;
    shutdown.add("once", async () => {
      runs += 1;
      await sleep(10);
    }, { boundMs: 1000 });
    const [a, b] = await Promise.all([shutdown.close(), shutdown.close()]);
    await shutdown.close();
    expect(runs).to.equal(1);
    expect(a).to.equal(b);
    expect(() => shutdown.add("late", () => undefined, { boundMs: 10 })).to.throw(/already started/);
  });
});
