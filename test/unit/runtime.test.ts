/** The runtime the service is built for: the Node.js release `engines` asks for, everywhere it runs. */
import { readFileSync } from "node:fs";
import { expect } from "chai";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  engines: { node: string };
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};
const major = (version: string) => Number(/(\d+)/.exec(version)?.[1]);

describe("runtime", () => {
  it("runs the tests on a Node.js release that package.json's engines accepts", () => {
    const minimum = major(pkg.engines.node);
    expect(minimum).to.be.at.least(22);
    expect(major(process.versions.node), `Node.js ${process.versions.node}; run export PATH="$(.ci/node):$PATH"`).to.be.at.least(minimum);
  });

  it("builds the image on the Node.js LTS release CI pins", () => {
    const pinned = /^version=(\d+)\./m.exec(readFileSync(new URL("../../.ci/node", import.meta.url), "utf8"))?.[1];
    const dockerfile = readFileSync(new URL("../../Dockerfile", import.meta.url), "utf8");
    expect(dockerfile).to.match(new RegExp(`^FROM node:${pinned}-bookworm-slim`, "m"));
  });

  it("runs the production commands as compiled JavaScript, each built first when dist/ is missing or stale", () => {
    const entries = { api: "api/main", worker: "worker/main", directory: "cli/directory", audit: "cli/audit", token: "cli/token" };
    for (const [command, entry] of Object.entries(entries)) {
      // The directory import caps V8's young generation: its memory stays flat on files of any size.
      const flags = command === "directory" ? "--max-semi-space-size=8 " : "";
      expect(pkg.scripts[command], command).to.equal(`node ${flags}dist/${entry}.js`);
      expect(pkg.scripts[`pre${command}`], `pre${command}`).to.equal("node dev/build.mjs --if-stale");
    }
    expect(pkg.scripts.build).to.equal("node dev/build.mjs");
    expect(pkg.dependencies).to.not.have.property("tsx");
  });

  it("builds the image in two stages: the last holds dist/, production node_modules, package.json and the stale check its commands run first, and runs no tsx", () => {
    const dockerfile = readFileSync(new URL("../../Dockerfile", import.meta.url), "utf8");
    const stages = dockerfile.split(/^(?=FROM )/m).slice(1);
    expect(stages).to.have.length(2);
    const [build, runtime] = stages as [string, string];
    expect(build).to.match(/^FROM node:\S+ AS build$/m);
    expect(build).to.match(/^RUN npm ci\b/m);
    expect(build).to.match(/^RUN npm run build && npm prune --omit=dev\b/m);
    expect(runtime).to.match(/^FROM node:\d+-bookworm-slim$/m);
    const copies = runtime.split("\n").filter((line) => line.startsWith("COPY "));
    expect(copies).to.deep.equal([
      "COPY package.json package-lock.json ./",
      "COPY dev/build.mjs ./dev/build.mjs",
      "COPY --from=build /app/node_modules ./node_modules",
      "COPY --from=build /app/dist ./dist",
    ]);
    expect(runtime).to.match(/^ENV NODE_ENV=production/m);
    expect(runtime).to.match(/^USER node$/m);
    expect(runtime).to.not.include("tsx");
    expect(JSON.parse(/^CMD (.*)$/m.exec(runtime)?.[1] ?? "null")).to.deep.equal(["node", "dist/api/main.js"]);
  });
});
