// The S3 store of the audit digests, on a mocked S3 client: each digest a JSON object under a key
// of its `to`, put only where none is (If-None-Match: *, with a checksum, as Object Lock wants),
// a 412 read as "already sealed", any other error passed on; the list oldest first, every page.
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { beforeEach, describe, expect, it } from "vitest";
import { S3SealStore, sealKey } from "../../functions/adapters/s3-seal-store.ts";
import type { AuditDigest } from "../../functions/app/ports.ts";

const s3 = mockClient(S3Client);
const BUCKET = "audit-seals-bucket";
const store = () => new S3SealStore({ client: new S3Client({}), bucket: BUCKET });

const digest = (to: string): AuditDigest => ({
  sealedAt: "2026-11-21T06:12:00.000Z",
  from: "2026-11-21T05:00:00.000Z",
  to,
  heads: [{ orderId: "o-1", seq: 3, head: "a".repeat(64) }],
});

const s3Error = (name: string, httpStatusCode: number) =>
  new S3ServiceException({ name, $fault: "client", $metadata: { httpStatusCode } });

beforeEach(() => s3.reset());

describe("sealKey", () => {
  it("files a digest under the day its window ends, named by its end", () => {
    expect(sealKey("2026-11-21T06:00:00.000Z")).toBe(
      "digests/2026/11/21/2026-11-21T06:00:00.000Z.json",
    );
  });
});

describe("S3SealStore.put", () => {
  it("puts the digest as JSON under its key, only if no object is there, with a SHA-256 checksum", async () => {
    s3.on(PutObjectCommand).resolves({});
    await expect(store().put(digest("2026-11-21T06:00:00.000Z"))).resolves.toBe(true);
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: BUCKET,
      Key: "digests/2026/11/21/2026-11-21T06:00:00.000Z.json",
      Body: JSON.stringify(digest("2026-11-21T06:00:00.000Z")),
      ContentType: "application/json",
      IfNoneMatch: "*",
      ChecksumAlgorithm: "SHA256",
    });
  });

  it("answers false when a digest of that window's end is there already (412)", async () => {
    s3.on(PutObjectCommand).rejects(s3Error("PreconditionFailed", 412));
    await expect(store().put(digest("2026-11-21T06:00:00.000Z"))).resolves.toBe(false);
  });

  it("passes any other failure on, so the run fails and the cursor stays", async () => {
    s3.on(PutObjectCommand).rejects(s3Error("AccessDenied", 403));
    await expect(store().put(digest("2026-11-21T06:00:00.000Z"))).rejects.toMatchObject({
      name: "AccessDenied",
    });
    s3.on(PutObjectCommand).rejects(s3Error("ConditionalRequestConflict", 409));
    await expect(store().put(digest("2026-11-21T06:00:00.000Z"))).rejects.toMatchObject({
      name: "ConditionalRequestConflict",
    });
  });
});

describe("S3SealStore.list", () => {
  /** A GetObject body as the SDK gives it: a stream that can be read as text. */
  const body = (value: unknown) =>
    ({ transformToString: async () => JSON.stringify(value) }) as never;

  it("reads every page of the digests' prefix and answers them oldest first", async () => {
    const first = digest("2026-11-21T06:00:00.000Z");
    const second = digest("2026-11-21T07:00:00.000Z");
    const third = digest("2026-11-22T00:00:00.000Z");
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined })
      .resolves({
        IsTruncated: true,
        NextContinuationToken: "page-2",
        Contents: [{ Key: sealKey(third.to) }, { Key: sealKey(first.to) }],
      })
      .on(ListObjectsV2Command, { ContinuationToken: "page-2" })
      .resolves({ IsTruncated: false, Contents: [{ Key: sealKey(second.to) }] });
    for (const each of [first, second, third]) {
      s3.on(GetObjectCommand, { Key: sealKey(each.to) }).callsFake(() => ({ Body: body(each) }));
    }
    await expect(store().list()).resolves.toEqual([first, second, third]);
    expect(s3).toHaveReceivedCommandWith(ListObjectsV2Command, {
      Bucket: BUCKET,
      Prefix: "digests/",
    });
    expect(s3).toHaveReceivedCommandTimes(ListObjectsV2Command, 2);
  });
});
