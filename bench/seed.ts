/**
 * The benchmark's directory (departments, every kind of actor, activities, attachments) and a
 * mix of requests with the status each must get, drawn so that most requests are issued.
 */
import jwt from "jsonwebtoken";
import type { ActorType, AttachmentApp, AttachmentType } from "../shared/domain/attachment.js";
import type { ActorRecord } from "../shared/redis/directory-store.js";
import type { Activity, Attachment, DirectoryEntry } from "../shared/domain/directory.js";
import { decide } from "../worker/policy.js";

export interface SeedSize {
  readonly departments: number;
  readonly departmentUsers: number;
  readonly globalUsers: number;
  readonly customers: number;
  readonly clients: number;
  readonly activities: number;
  readonly attachments: number;
}

export const DEFAULT_SIZE: SeedSize = {
  departments: 50,
  departmentUsers: 400,
  globalUsers: 100,
  customers: 400,
  clients: 100,
  activities: 20_000,
  attachments: 100_000,
};

export interface RequestSpec {
  readonly token: string;
  readonly body: string;
  readonly status: number;
  readonly outcome: string;
}

/** Deterministic pseudo-random numbers (mulberry32), so every run benchmarks the same data. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Seed {
  readonly entries: DirectoryEntry[];
  readonly actors: ActorRecord[];
  readonly activities: Map<string, Activity>;
  readonly attachments: Attachment[];
}

export function buildDirectory(size: SeedSize = DEFAULT_SIZE, seed = 42): Seed {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const departments = Array.from({ length: size.departments }, (_, i) => `d${i}`);
  const customers = Array.from({ length: size.customers }, (_, i) => `c${i}`);
  const entries: DirectoryEntry[] = [];
  const actors: ActorRecord[] = [];

  for (const id of departments) entries.push({ kind: "department", id, deleted: false, record: { id, name: `Department ${id}` } });
  for (let i = 0; i < size.departmentUsers; i++) {
    const record = {
      id: `u${i}`,
      userType: "department" as const,
      enabled: rnd() > 0.02,
      homeDepartment: pick(departments),
      foreignDepartments: [pick(departments), pick(departments)],
      actions: rnd() > 0.1 ? [{ resource: "System", action: "View Agent Console" }] : [],
    };
    entries.push({ kind: "user", id: record.id, deleted: false, record });
    actors.push({ type: "user", record });
  }
  for (let i = 0; i < size.globalUsers; i++) {
    const record = {
      id: `g${i}`,
      userType: "global" as const,
      enabled: true,
      departmentPermissions: Array.from({ length: 5 }, () => ({ department: pick(departments), permission: "Administer" })),
      privileges: rnd() > 0.5 ? ["Manage partition resources"] : [],
    };
    entries.push({ kind: "user", id: record.id, deleted: false, record });
    actors.push({ type: "user", record });
  }
  for (const id of customers) {
    const record = { id, enabled: rnd() > 0.02, canViewCustomers: Array.from({ length: 5 }, () => pick(customers)).filter((c) => c !== id) };
    entries.push({ kind: "customer", id, deleted: false, record });
    actors.push({ type: "customer", record });
  }
  for (let i = 0; i < size.clients; i++) {
    const record = { id: `app${i}`, enabled: true };
    entries.push({ kind: "client", id: record.id, deleted: false, record });
    actors.push({ type: "client", record });
  }

  const activities = new Map<string, Activity>();
  const apps: AttachmentApp[] = ["email", "email", "email", "task", "task", "calltrack"];
  for (let i = 0; i < size.activities; i++) {
    const record: Activity = { id: `a${i}`, app: pick(apps), department: pick(departments), customer: pick(customers) };
    activities.set(record.id, record);
    entries.push({ kind: "activity", id: record.id, deleted: false, record });
  }
  const activityList = [...activities.values()];
  const attachments: Attachment[] = [];
  for (let i = 0; i < size.attachments; i++) {
    const act = pick(activityList);
    const type: AttachmentType = act.app === "email" ? (rnd() > 0.5 ? "attachment.inbound" : "attachment.outbound") : "attachment";
    const record: Attachment = {
      altId: `att-${i.toString(36)}-${Math.floor(rnd() * 1e9).toString(36)}`,
      id: String(100000 + i),
      activity: act.id,
      app: act.app,
      type,
      fileName: `file-${i}.pdf`,
      name: `file-${i}.pdf`,
      contentType: "application/pdf",
      size: 1000 + i,
      objectKey: `${act.app}/${i}/file-${i}.pdf`,
      encodingType: "base64",
      charset: "utf-8",
      inline: false,
      contentId: null,
      blocked: rnd() < 0.03,
      created: "2026-11-01T10:00:00.000Z",
    };
    attachments.push(record);
    entries.push({ kind: "attachment", id: record.altId, deleted: false, record });
  }
  return { entries, actors, activities, attachments };
}

const STATUS = { allowed: 200, blocked: 200, denied: 403, not_found: 404, unauthenticated: 401 } as const;

/**
 * Draws `count` requests: 75% issued, 5% blocked, 10% denied, 5% not found, 5% invalid bodies.
 * Expected statuses come from the policy, which the permission tests pin to the seed's rules.
 */
export function buildRequests(seed: Seed, secret: string, count = 20_000, seedValue = 7): RequestSpec[] {
  const rnd = random(seedValue);
  const quota = { issued: 0.75, blocked: 0.05, denied: 0.1, not_found: 0.05, invalid: 0.05 };
  const wanted = Object.fromEntries(Object.entries(quota).map(([k, v]) => [k, Math.round(v * count)])) as Record<keyof typeof quota, number>;
  const tokens = new Map<string, string>();
  const tokenFor = (type: ActorType, id: string) => {
    const key = `${type}:${id}`;
    let token = tokens.get(key);
    if (token === undefined) {
      token = jwt.sign({ sub: id, actor: type }, secret, { algorithm: "HS256", expiresIn: 86_400 });
      tokens.set(key, token);
    }
    return token;
  };
  const specs: RequestSpec[] = [];
  const body = (a: Attachment, altId = a.altId) => JSON.stringify({ app: a.app, type: a.type, altId });

  let guard = 0;
  while (specs.length < count && guard++ < count * 200) {
    const actor = seed.actors[Math.floor(rnd() * seed.actors.length)]!;
    const attachment = seed.attachments[Math.floor(rnd() * seed.attachments.length)]!;
    const token = tokenFor(actor.type, actor.record.id);
    if (wanted.invalid > 0 && rnd() < 0.05) {
      wanted.invalid--;
      specs.push({ token, body: JSON.stringify({ app: attachment.app, altId: attachment.altId, colour: "red" }), status: 400, outcome: "invalid" });
      continue;
    }
    if (wanted.not_found > 0 && rnd() < 0.05) {
      const missing = decide({ actor, attachment: undefined, activity: undefined }, { app: attachment.app, type: attachment.type, altId: "missing" });
      if (missing.outcome === "not_found") {
        wanted.not_found--;
        specs.push({ token, body: body(attachment, `missing-${specs.length}`), status: 404, outcome: "not_found" });
      }
      continue;
    }
    const decision = decide({ actor, attachment, activity: seed.activities.get(attachment.activity) }, attachment);
    const outcome = decision.outcome === "allowed" ? "issued" : decision.outcome;
    if (outcome === "unauthenticated") continue;
    const bucket = outcome as keyof typeof quota;
    if (wanted[bucket] <= 0) continue;
    wanted[bucket]--;
    specs.push({ token, body: body(attachment), status: STATUS[decision.outcome], outcome });
  }
  return shuffle(specs, rnd);
}

function shuffle<T>(items: T[], rnd: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
