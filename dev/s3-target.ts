/**
 * Where `npm start` keeps the demo objects: the S3 the environment names (`S3_ENDPOINT`), or an
 * embedded s3rver on a local folder.
 */
import { mkdir } from "node:fs/promises";
import { S3Client } from "@aws-sdk/client-s3";
import type { S3Config } from "../shared/runtime/config.js";
import type { DemoObject } from "./demo-data.js";
import { EMBEDDED_S3_CREDENTIALS, putObject, startEmbeddedS3 } from "./embedded-s3.js";

/** The bucket `npm start` creates in the embedded server. */
const EMBEDDED_BUCKET = "attachments";

/** An S3 to upload the demo objects to, and the settings the worker needs to sign URLs for it. */
export interface S3Target {
  /** The S3 settings the API and worker get, in environment form; empty when the environment already has them. */
  readonly env: Readonly<Record<string, string>>;
  /** One line for people, without credentials. */
  readonly description: string;
  upload(object: DemoObject): Promise<void>;
  close(): Promise<void>;
}

/** Starts s3rver with its data in `directory` (created when missing) and the bucket `attachments`. */
export async function embeddedS3(directory: string): Promise<S3Target> {
  await mkdir(directory, { recursive: true });
  const s3 = await startEmbeddedS3({ directory, bucket: EMBEDDED_BUCKET });
  return {
    env: {
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: EMBEDDED_BUCKET,
      S3_FORCE_PATH_STYLE: "true",
      AWS_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
    },
    description: `${s3.endpoint}, bucket ${EMBEDDED_BUCKET} (embedded s3rver, data in ${directory})`,
    upload: (object) => putObject(s3.client, EMBEDDED_BUCKET, object.key, object.body, object.contentType),
    close: () => s3.close(),
  };
}

/** The S3 that `S3_ENDPOINT`, `S3_BUCKET` and the AWS credentials name; its bucket must exist. */
export function configuredS3(config: S3Config): S3Target {
  const client = new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, sessionToken: config.sessionToken },
  });
  return {
    env: {},
    description: `${config.endpoint ?? "AWS"}, bucket ${config.bucket} (from S3_ENDPOINT)`,
    upload: (object) => putObject(client, config.bucket, object.key, object.body, object.contentType),
    close: async () => client.destroy(),
  };
}
