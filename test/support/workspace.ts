/**
 * A test file's workspace against the test Redis: a client, a folder of its own, and a fresh key
 * prefix for every test, whose keys are deleted after it. Call it inside `describe`: it registers
 * the hooks.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { deleteKeys } from "./stack.js";

export interface Workspace {
  /** The test Redis's URL. */
  readonly redisUrl: string;
  readonly redis: Redis;
  /** A folder of the file's own, removed after its tests. */
  readonly dir: string;
  /** The current test's key prefix. */
  readonly prefix: string;
}

export function workspace(name: string): Workspace {
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  let redis: Redis | undefined;
  let dir: string | undefined;
  let prefix = "";
  before(() => {
    redis = new Redis(redisUrl);
    dir = mkdtempSync(join(tmpdir(), `pd-${name}-`));
  });
  beforeEach(() => {
    prefix = `t${randomBytes(4).toString("hex")}`;
  });
  afterEach(async () => deleteKeys(redis!, `${prefix}:*`));
  after(() => {
    redis?.disconnect();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  return {
    redisUrl,
    get redis() {
      return redis!;
    },
    get dir() {
      return dir!;
    },
    get prefix() {
      return prefix;
    },
  };
}
