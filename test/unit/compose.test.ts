/**
 * docker-compose.yml as `docker-compose config` resolves it. No Docker engine is needed; the
 * Compose CLI is (Debian: apt-get install docker-compose).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SECRET = "compose-test-secret-of-at-least-32-bytes";

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs docker-compose on the repository's file with only `env` (and PATH) in its environment, and
 * an empty env file, so neither the caller's shell nor a developer's `.env` changes the outcome.
 */
function compose(args: string[], env: Record<string, string>): Run {
  const dir = mkdtempSync(join(tmpdir(), "pd-compose-"));
  try {
    const envFile = join(dir, "empty.env");
    writeFileSync(envFile, "");
    const result = spawnSync("docker-compose", ["--env-file", envFile, "-f", join(ROOT, "docker-compose.yml"), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
      encoding: "utf8",
    });
    if ((result.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
      throw new Error("docker-compose is not installed; install it (Debian/Ubuntu: apt-get install docker-compose) to check docker-compose.yml");
    }
    if (result.error !== undefined) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The lines nested under `key:` at `indent` spaces, in the plain block YAML that
 * `docker-compose config` prints (two spaces a level; list items at their key's indent).
 */
function under(lines: readonly string[], key: string, indent: number): string[] {
  const pad = " ".repeat(indent);
  const start = lines.indexOf(`${pad}${key}:`);
  if (start < 0) return [];
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith(`${pad} `) && !line.startsWith(`${pad}- `)) break;
    body.push(line);
  }
  return body;
}

function unquote(value: string): string {
  if (value.startsWith('"')) return JSON.parse(value) as string;
  if (value.startsWith("'")) return value.slice(1, -1).replaceAll("''", "'");
  return value;
}

/** The items of a list at `indent`; a long item continues on more deeply indented lines. */
function items(lines: readonly string[], indent: number): string[] {
  const marker = `${" ".repeat(indent)}- `;
  const result: string[] = [];
  for (const line of lines) {
    if (line.startsWith(marker)) result.push(line.slice(marker.length));
    else result.push(`${result.pop() ?? ""} ${line.trim()}`);
  }
  return result.map(unquote);
}

/** The `key: value` pairs of a map at `indent`. */
function pairs(lines: readonly string[], indent: number): Record<string, string> {
  const pad = " ".repeat(indent);
  const result: Record<string, string> = {};
  for (const line of lines) {
    const match = line.startsWith(pad) ? /^([^\s:]+): (.*)$/.exec(line.slice(indent)) : null;
    if (match !== null) result[match[1]!] = unquote(match[2]!);
  }
  return result;
}

interface Service {
  readonly lines: string[];
  readonly fields: Record<string, string>;
  readonly command: string[];
  readonly environment: Record<string, string>;
}

function service(config: string, name: string): Service {
  const lines = under(under(config.split("\n"), "services", 0), name, 2);
  return {
    lines,
    fields: pairs(lines, 4),
    command: items(under(lines, "command", 4), 4),
    environment: pairs(under(lines, "environment", 4), 6),
  };
}

const dependency = (s: Service, on: string): Record<string, string> => pairs(under(under(s.lines, "depends_on", 4), on, 6), 8);

describe("docker-compose.yml", () => {
  let config: string;
  before(() => {
    const run = compose(["config"], { JWT_SECRET: SECRET });
    expect(run.status, run.stderr).to.equal(0);
    config = run.stdout;
  });

  it("is valid when JWT_SECRET is set", () => {
    const run = compose(["config", "-q"], { JWT_SECRET: SECRET });
    expect(run.status, run.stderr).to.equal(0);
  });

  it("refuses to resolve without JWT_SECRET, naming it", () => {
    const run = compose(["config"], {});
    expect(run.status).to.not.equal(0);
    expect(run.stderr).to.include("JWT_SECRET");
  });

  it("defines redis, minio, minio-init, api and worker", () => {
    const names = under(config.split("\n"), "services", 0)
      .filter((line) => /^ {2}\S/.test(line))
      .map((line) => line.trim().replace(/:$/, ""));
    expect(names).to.have.members(["redis", "minio", "minio-init", "api", "worker"]);
  });

  it("runs Redis 7 with AOF on, no eviction, a volume and a health check", () => {
    const redis = service(config, "redis");
    expect(redis.fields.image).to.equal("redis:7");
    const command = redis.command.join(" ");
    expect(command).to.include("--appendonly yes");
    expect(command).to.include("--maxmemory-policy noeviction");
    expect(items(under(redis.lines, "volumes", 4), 4).some((v) => v.includes(":/data"))).to.equal(true);
    expect(items(under(under(redis.lines, "healthcheck", 4), "test", 6), 6).join(" ")).to.include("redis-cli ping");
  });

  it("creates the attachments bucket once MinIO is healthy", () => {
    const minio = service(config, "minio");
    expect(minio.fields.image).to.match(/^minio\/minio:/);
    expect(under(minio.lines, "healthcheck", 4)).to.not.be.empty;
    expect(items(under(minio.lines, "volumes", 4), 4).some((v) => v.includes(":/data"))).to.equal(true);

    const init = service(config, "minio-init");
    expect(init.fields.image).to.match(/^minio\/mc:/);
    expect(init.command.join(" ")).to.include("mc mb --ignore-existing local/attachments");
    expect(dependency(init, "minio").condition).to.equal("service_healthy");
    expect(init.environment.MINIO_ROOT_USER).to.equal(minio.environment.MINIO_ROOT_USER);
    expect(init.environment.MINIO_ROOT_PASSWORD).to.equal(minio.environment.MINIO_ROOT_PASSWORD);
  });

  it("builds api and worker from the repository as one image", () => {
    const api = service(config, "api");
    const worker = service(config, "worker");
    expect(pairs(under(api.lines, "build", 4), 6).context).to.equal(ROOT);
    expect(pairs(under(worker.lines, "build", 4), 6).context).to.equal(ROOT);
    expect(api.fields.image).to.be.a("string").and.equal(worker.fields.image);
  });

  it("runs the package.json api and worker entry points, the api also as the image's default", () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    const words = (script: string | undefined): string[] => (script ?? "").split(" ");
    expect(service(config, "api").command).to.deep.equal(words(scripts.api));
    expect(service(config, "worker").command).to.deep.equal(words(scripts.worker));
    const cmd = /^CMD (.*)$/m.exec(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
    expect(JSON.parse(cmd?.[1] ?? "null")).to.deep.equal(words(scripts.api));
  });

  it("runs the compiled JavaScript the image holds, without tsx", () => {
    expect(service(config, "api").command).to.deep.equal(["node", "dist/api/main.js"]);
    expect(service(config, "worker").command).to.deep.equal(["node", "dist/worker/main.js"]);
    for (const name of ["api", "worker"]) expect(service(config, name).lines.join("\n")).to.not.include("tsx");
  });

  it("configures the api from the environment and publishes 8080", () => {
    const api = service(config, "api");
    expect(api.environment).to.include({ REDIS_URL: "redis://redis:6379", PORT: "8080", JWT_SECRET: SECRET });
    const ports = under(api.lines, "ports", 4);
    expect(ports.filter((line) => line.startsWith("    - "))).to.have.length(1);
    // The one list item is a map: read it as one by blanking its "- ".
    expect(pairs(ports.map((line) => line.replace("    - ", "      ")), 6)).to.include({ published: "8080", target: "8080" });
    expect(dependency(api, "redis").condition).to.equal("service_healthy");
    expect(api.fields.restart).to.equal("unless-stopped");
    expect(api.fields).to.have.property("stop_grace_period");
  });

  it("points the worker at MinIO with its credentials, after the bucket exists", () => {
    const worker = service(config, "worker");
    const minio = service(config, "minio");
    expect(worker.environment).to.include({
      REDIS_URL: "redis://redis:6379",
      S3_ENDPOINT: "http://minio:9000",
      S3_BUCKET: "attachments",
      S3_FORCE_PATH_STYLE: "true",
      AWS_ACCESS_KEY_ID: minio.environment.MINIO_ROOT_USER,
      AWS_SECRET_ACCESS_KEY: minio.environment.MINIO_ROOT_PASSWORD,
    });
    expect(worker.environment).to.have.property("WORKER_CONCURRENCY");
    expect(dependency(worker, "redis").condition).to.equal("service_healthy");
    expect(dependency(worker, "minio-init").condition).to.equal("service_completed_successfully");
    expect(worker.fields.restart).to.equal("unless-stopped");
    expect(worker.fields).to.have.property("stop_grace_period");
  });

  it("checks the api's readiness on its ops port and the worker's on its own port", () => {
    const check = (name: string) => items(under(under(service(config, name).lines, "healthcheck", 4), "test", 6), 6).join(" ");
    expect(check("api")).to.include(`http://127.0.0.1:${service(config, "api").environment.OPS_PORT}/health/ready`);
    expect(service(config, "worker").environment.WORKER_HTTP_PORT).to.equal("8081");
    expect(check("worker")).to.include("http://127.0.0.1:8081/health/ready");
  });

  it("keeps health and metrics off the published port: the api serves them on an OPS_PORT it does not publish, the worker on loopback", () => {
    const api = service(config, "api");
    const opsPort = api.environment.OPS_PORT;
    expect(opsPort).to.match(/^\d+$/).and.not.equal(api.environment.PORT);
    const published = under(api.lines, "ports", 4).filter((line) => /^\s+(published|target):/.test(line));
    expect(published.join("\n")).to.not.include(opsPort);
    expect(api.lines.filter((line) => /^ {4}expose:/.test(line))).to.deep.equal([]);
    expect(service(config, "worker").environment.WORKER_HTTP_HOST ?? "127.0.0.1").to.equal("127.0.0.1");
  });

  it("lets the worker scale: no container name, no published ports", () => {
    const worker = service(config, "worker");
    expect(worker.lines).to.not.be.empty;
    expect(worker.lines.filter((line) => /^ {4}(container_name|ports):/.test(line))).to.deep.equal([]);
  });
});
