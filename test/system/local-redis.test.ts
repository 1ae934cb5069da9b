/** The ports `npm start` and the tests run their own servers on. */
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { expect } from "chai";
import { freePort } from "../../dev/local-redis.js";

/** Listens on `port` on 127.0.0.1, then closes again. */
function listenOnce(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

describe("freePort", () => {
  it("answers free ports below the range the system hands out by itself, so a server restarted on one finds it still free", async () => {
    const firstEphemeral = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) {
      expect(port).to.be.at.least(10_000).and.below(firstEphemeral);
      await listenOnce(port);
    }
  });
});
