/**
 * An S3-compatible server on a local folder (s3rver), for `npm start` and the tests. It serves real
 * bytes and honours expiry, but does not check signatures.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";

/** The credentials s3rver expects. */
export const EMBEDDED_S3_CREDENTIALS = Object.freeze({ accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });

export interface EmbeddedS3 {
  readonly endpoint: string;
  readonly client: S3Client;
  close(): Promise<void>;
}

export async function startEmbeddedS3(options: { directory: string; port?: number; bucket: string }): Promise<EmbeddedS3> {
  const server = new S3rver({ address: "127.0.0.1", port: options.port ?? 0, silent: true, directory: options.directory });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = s3Client(endpoint, "us-east-1", EMBEDDED_S3_CREDENTIALS);
  await client.send(new CreateBucketCommand({ Bucket: options.bucket })).catch((error: { name?: string }) => {
    if (error.name !== "BucketAlreadyOwnedByYou" && error.name !== "BucketAlreadyExists") throw error;
  });
  return {
    endpoint,
    client,
    async close() {
      client.destroy();
      await server.close();
    },
  };
}

export function s3Client(endpoint: string, region: string, credentials: { accessKeyId: string; secretAccessKey: string }): S3Client {
  return new S3Client({ endpoint, region, forcePathStyle: true, credentials: { ...credentials } });
}

export async function putObject(client: S3Client, bucket: string, key: string, body: Buffer | string, contentType: string): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
}
