/** The directory import at a size where memory and interruption matter, through the CLI against real Redis. */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createWriteStream, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { expect } from "chai";
import { workspace } from "../support/workspace.js";
import { ROOT } from "../support/cli.js";

/** Attachment lines of about 300 bytes, every one with a version. */
async function writeAttachments(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    const line = JSON.stringify({
      kind: "attachment",
      altId: randomUUID(),
      id: String(100000 + i),
      activity: `a${i % 100}`,
      app: "email",
      type: "attachment.inbound",
      fileName: `report-${i}.pdf`,
      contentType: "application/pdf",
      size: 17245 + i,
      objectKey: `email/${100000 + i}/report-${i}.pdf`,
      created: "2026-11-01T10:00:00.000Z",
      version: 1,
    });
    if (!out.write(`${line}\n`)) await once(out, "drain");
  }
  await new Promise((resolve) => out.end(resolve));
}

/**
 * Runs the directory CLI with the node options `npm run directory` gives it, reporting its peak RSS.
 * The CLI runs from its TypeScript source (tsx), as the tests do, rather than from dist/.
 */
function startImport(file: string, env: Record<string, string>): ChildProcess {
  const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const [node, ...args] = scripts.directory!.split(" ");
  expect(node).to.equal("node");
  expect(args.at(-1)).to.equal("dist/cli/directory.js");
  const options = args.slice(0, -1);
  const preload = join(ROOT, "test/support/report-peak-rss.ts");
  return spawn(process.execPath, ["--import", "tsx", "--import", preload, ...options, "cli/directory.ts", "import", file], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env } });
}

async function finish(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, "close")) as [number | null];
  return { code, stdout, stderr };
}

describe("directory import at scale", function () {
  this.timeout(120_000);
  const LINES = 100_000;
  const ws = workspace("directory-scale");
  let file: string;
  const env = () => ({ REDIS_URL: ws.redisUrl, KEY_PREFIX: ws.prefix });
  const records = async () => (await ws.redis.keys(`${ws.prefix}:dir:attachment:*`)).length;

  before(async () => {
    file = join(ws.dir, "attachments.ndjson");
    await writeAttachments(file, LINES);
  });

  it(`imports ${LINES} lines (about 30 MB) with a peak RSS under 300 MB`, async () => {
    const { code, stdout, stderr } = await finish(startImport(file, env()));
    expect(code, stderr).to.equal(0);
    expect(stdout).to.include(`upserted ${LINES} (attachment ${LINES}), deleted 0, unchanged 0, stale 0`);
    expect(await records()).to.equal(LINES);
    const peakMb = Number(/peak-rss-kb=(\d+)/.exec(stderr)![1]) / 1024;
    // The whole file held in memory took about 4 KB a line: 400 MB and more at this size.
    expect(peakMb).to.be.below(300);
  });

  it("removes its temporary files when a signal stops it midway", async () => {
    const temporary = join(ws.dir, "tmp");
    mkdirSync(temporary);
    const child = startImport(file, { ...env(), TMPDIR: temporary });
    const finished = finish(child);
    const deadline = Date.now() + 60_000;
    while ((await records()) < 1000 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    // tsx keeps a cache of its own there too.
    const importFolders = () => readdirSync(temporary).filter((name) => name.startsWith("pd-import-"));
    expect(importFolders()).to.have.length(1);
    child.kill("SIGTERM");
    const { code } = await finished;
    expect(code).to.equal(143);
    expect(importFolders()).to.deep.equal([]);
  });

  it("converges when an import killed midway runs again", async () => {
    // SIGKILL leaves the import no chance to remove its temporary folder: it goes with the workspace.
    const child = startImport(file, { ...env(), TMPDIR: ws.dir });
    const finished = finish(child);
    const deadline = Date.now() + 60_000;
    while ((await records()) < 1000 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill("SIGKILL");
    await finished;
    const written = await records();
    expect(written).to.be.within(1000, LINES - 1);

    const { code, stdout, stderr } = await finish(startImport(file, env()));
    expect(code, stderr).to.equal(0);
    const [, upserted, unchanged] = /upserted (\d+).*unchanged (\d+), stale 0/.exec(stdout)!;
    expect(Number(upserted) + Number(unchanged)).to.equal(LINES);
    // Batches land whole: what the first run wrote comes back unchanged, the rest is written now.
    expect(Number(unchanged)).to.be.at.least(written);
    expect(await records()).to.equal(LINES);
  });
});
