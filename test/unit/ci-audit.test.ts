/**
 * `.ci/audit-unreachable`, which tells `.ci/run` whether a failed `npm audit` could not reach the
 * audit endpoint (CI warns and goes on) or found advisories or failed otherwise (CI fails). Fed
 * what npm prints in each case.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { ROOT } from "../support/cli.js";

const SCRIPT = join(ROOT, ".ci/audit-unreachable");
const BULK = "https://registry.npmjs.org/-/npm/v1/security/advisories/bulk";
const LOG = "npm error A complete log of this run can be found in: /root/.npm/_logs/2026-12-01T21_11_17_156Z-debug-0.log";

function classify(output: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(SCRIPT, [], { cwd: ROOT, stdio: ["pipe", "ignore", "inherit"] });
    child.once("error", reject);
    child.once("close", resolve);
    child.stdin.end(output);
  });
}

/** What npm 11 prints when the bulk advisory request fails with `warning`. */
const unreachable = (warning: string) => [`npm warn audit ${warning}`, "npm error audit endpoint returned an error", LOG, ""].join("\n");

/** An advisory report as `npm audit` prints it, with `title` as the advisory's title. */
const report = (title: string) =>
  ["# npm audit report", "", "axios  <=1.7.3", "Severity: high", `${title} - https://github.com/advisories/GHSA-8hc4-vh64-cxmj`, "fix available via `npm audit fix`", "node_modules/axios", "", "1 high severity vulnerability", "", "To address all issues, run:", "  npm audit fix", ""].join("\n");

describe("CI's npm audit step", () => {
  const couldNotRun: Array<[string, string]> = [
    ["the endpoint answering 405", unreachable(`405 Method Not Allowed - POST ${BULK}`)],
    ["the endpoint answering 503", unreachable(`503 Service Unavailable - POST ${BULK}`)],
    ["an unknown host", unreachable(`request to ${BULK} failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org`)],
    ["a refused connection", unreachable(`request to http://127.0.0.1:1/-/npm/v1/security/advisories/bulk failed, reason: connect ECONNREFUSED 127.0.0.1:1`)],
    ["a connection timing out", unreachable(`request to ${BULK} failed, reason: connect ETIMEDOUT 104.16.0.35:443`)],
    ["DNS failing for now", unreachable(`request to ${BULK} failed, reason: getaddrinfo EAI_AGAIN registry.npmjs.org`)],
    ["npm's own timeout", unreachable(`network timeout at: ${BULK}`)],
  ];
  for (const [name, output] of couldNotRun) {
    it(`treats ${name} as a check that could not run`, async () => {
      expect(await classify(output)).to.equal(0);
    });
  }

  const failures: Array<[string, string]> = [
    ["a high advisory whose title says network", report("Axios vulnerable to Server-Side Request Forgery via network-path reference")],
    ["a high advisory whose title names ECONNREFUSED and the endpoint error", report("npm warn audit ECONNREFUSED: audit endpoint returned an error")],
    ["several advisories", report("Prototype pollution").replace("1 high severity vulnerability", "3 vulnerabilities (1 moderate, 2 high)")],
    ["an advisory report followed by npm's endpoint error", `${report("Denial of service")}${unreachable(`405 Method Not Allowed - POST ${BULK}`)}`],
    ["a missing lockfile", ["npm error code ENOLOCK", "npm error audit This command requires an existing lockfile.", LOG, ""].join("\n")],
    ["npm's endpoint error without its cause", ["npm error audit endpoint returned an error", LOG, ""].join("\n")],
    ["a failure of another request", unreachable(`request to https://registry.npmjs.org/axios failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org`)],
    ["no output", ""],
  ];
  for (const [name, output] of failures) {
    it(`fails CI on ${name}`, async () => {
      expect(await classify(output)).to.equal(1);
    });
  }

  it("is what .ci/run consults, with no looser match of its own", () => {
    const run = readFileSync(join(ROOT, ".ci/run"), "utf8");
    expect(run).to.include(".ci/audit-unreachable <<<\"$audit_output\"");
    expect(run).not.to.match(/grep[^\n]*network/);
  });
});
