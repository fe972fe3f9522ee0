// The audit digests in S3 (the bucket has Object Lock in compliance mode, default retention from
// the deployment's context): one JSON object per digest, its key derived from the digest's `to`,
// put with If-None-Match so a digest is never replaced, not even by another sealer.
import type { S3Client } from "@aws-sdk/client-s3";
import type { AuditDigest, SealStore } from "../app/ports.ts";
import { type ClientSource, clientOf } from "./client-source.ts";
import { s3Sdk } from "./sdk.ts";

/** Where the digests are in the bucket; the sealer may put objects under it and nowhere else. */
export const SEAL_PREFIX = "digests/";

/** `digests/<YYYY>/<MM>/<DD>/<to>.json`: by the day its window ends, in the order of `to`. */
export const sealKey = (to: string): string =>
  `${SEAL_PREFIX}${to.slice(0, 4)}/${to.slice(5, 7)}/${to.slice(8, 10)}/${to}.json`;

/** S3 answers a conditional put whose condition failed with 412 Precondition Failed. */
const isPreconditionFailed = (error: unknown): boolean =>
  error instanceof Error &&
  (error.name === "PreconditionFailed" ||
    (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412);

export class S3SealStore implements SealStore {
  constructor(private readonly options: { client: ClientSource<S3Client>; bucket: string }) {}

  async put(digest: AuditDigest): Promise<boolean> {
    const client = await clientOf(this.options.client);
    try {
      await client.send(
        new (s3Sdk().PutObjectCommand)({
          Bucket: this.options.bucket,
          Key: sealKey(digest.to),
          Body: JSON.stringify(digest),
          ContentType: "application/json",
          // Never over an existing digest: the second writer of a `to` gets 412.
          IfNoneMatch: "*",
          // Object Lock wants an integrity check with every put.
          ChecksumAlgorithm: "SHA256",
        }),
      );
      return true;
    } catch (error) {
      if (isPreconditionFailed(error)) return false;
      throw error;
    }
  }

  /** Every digest, oldest first (for a reader with ListBucket and GetObject: not the sealer). */
  async list(): Promise<AuditDigest[]> {
    const client = await clientOf(this.options.client);
    const { ListObjectsV2Command, GetObjectCommand } = s3Sdk();
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: SEAL_PREFIX,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    const digests: AuditDigest[] = [];
    for (const key of keys.sort()) {
      const object = await client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: key }),
      );
      digests.push(JSON.parse((await object.Body?.transformToString("utf8")) ?? "null"));
    }
    return digests;
  }
}
