/**
 * What `npm start` prints once everything answers: where each part runs, a token per demo actor,
 * the demo attachments with who gets a URL for each (decided by the service's own policy), and one
 * curl command that works as pasted.
 */
import jwt from "jsonwebtoken";
import type { JwtConfig } from "../shared/runtime/config.js";
import type { ActorRecord } from "../shared/redis/directory-store.js";
import type { Attachment, DirectoryEntry } from "../shared/domain/directory.js";
import { decide } from "../worker/policy.js";
import { recordsOf } from "./demo-data.js";

/** How long the printed demo tokens stay valid. */
const DEMO_TOKEN_TTL_HOURS = 12;

/** A demo actor with the label it is printed under. */
interface DemoActor {
  readonly label: string;
  readonly actor: ActorRecord;
}

/** The first department user, global user, customer and client application of the directory. */
function demoActors(entries: readonly DirectoryEntry[]): DemoActor[] {
  const users = recordsOf(entries, "user");
  const candidates: Array<DemoActor | undefined> = [
    ...(["department", "global"] as const).map((userType) => {
      const record = users.find((user) => user.userType === userType);
      return record && { label: `user ${record.id} (${userType})`, actor: { type: "user" as const, record } };
    }),
    ...recordsOf(entries, "customer").slice(0, 1).map((record) => ({ label: `customer ${record.id}`, actor: { type: "customer" as const, record } })),
    ...recordsOf(entries, "client").slice(0, 1).map((record) => ({ label: `client ${record.id}`, actor: { type: "client" as const, record } })),
  ];
  return candidates.filter((candidate): candidate is DemoActor => candidate !== undefined);
}

/** Signs an HS256 token for `actor`, with the issuer and audience the API enforces when they are configured. */
export function mintDemoToken(secret: string, config: JwtConfig, actor: ActorRecord): string {
  return jwt.sign({ actor: actor.type }, secret, {
    algorithm: "HS256",
    subject: actor.record.id,
    expiresIn: `${DEMO_TOKEN_TTL_HOURS}h`,
    ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
    ...(config.audience === undefined ? {} : { audience: config.audience }),
  });
}

/** A POSIX shell command line: every word that is not plainly safe is single-quoted. */
function shellLine(words: readonly string[]): string {
  return words.map((word) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)).join(" ");
}

/** What the banner shows besides the demo directory itself. */
export interface BannerInput {
  readonly baseUrl: string;
  /** Label and description of each part, e.g. `["Redis", "redis://127.0.0.1:6379 (already running)"]`. */
  readonly parts: ReadonlyArray<readonly [string, string]>;
  /** The demo directory as loaded. */
  readonly entries: readonly DirectoryEntry[];
  /** Mints a token for a demo actor. */
  readonly token: (actor: ActorRecord) => string;
}

/** The text `npm start` prints once the API and the worker answer, ending with the curl line. */
export function renderBanner(input: BannerInput): string {
  const actors = demoActors(input.entries).map((actor) => ({ ...actor, token: input.token(actor.actor) }));
  const activities = new Map(recordsOf(input.entries, "activity").map((activity) => [activity.id, activity]));
  const outcome = (attachment: Attachment, { actor }: DemoActor) =>
    decide({ attachment, activity: activities.get(attachment.activity), actor }, attachment).outcome;

  const attachments = recordsOf(input.entries, "attachment");
  const example = actors.flatMap((actor) => attachments.filter((a) => outcome(a, actor) === "allowed").map((attachment) => ({ actor, attachment })))[0];

  const lines = [
    "Predownload service is running. Ctrl-C stops everything it started.",
    "",
    ...table([["API", `${input.baseUrl}  (POST /assets/predownload)`], ...input.parts]),
    "",
    `Demo tokens (valid ${DEMO_TOKEN_TTL_HOURS} hours):`,
    ...table(actors.map((actor) => [actor.label, actor.token])),
    "",
    "Demo attachments (app, type, altId, who gets a URL, file name):",
    ...table(
      attachments.map((attachment) => {
        const allowed = actors.filter((actor) => outcome(attachment, actor) === "allowed").map((actor) => actor.actor.record.id);
        const who = attachment.blocked ? "nobody (blocked)" : allowed.length > 0 ? allowed.join(" ") : "nobody";
        // The file name goes last: names in wide scripts would break the alignment of any column after it.
        return [attachment.app, attachment.type, attachment.altId, who, attachment.fileName];
      }),
    ),
  ];
  if (example !== undefined) {
    const { actor, attachment } = example;
    const body = JSON.stringify({ app: attachment.app, type: attachment.type, altId: attachment.altId });
    lines.push(
      "",
      `Try it: ${actor.label} asks for ${attachment.fileName}`,
      shellLine(["curl", "-sS", "-X", "POST", `${input.baseUrl}/assets/predownload`, "-H", `Authorization: Bearer ${actor.token}`, "-H", "Content-Type: application/json", "--data", body]),
    );
  }
  return `${lines.join("\n")}\n\n`;
}

/** Rows as left-aligned columns, indented by two spaces. */
function table(rows: ReadonlyArray<readonly string[]>): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]! + 2))).join("")}`);
}
