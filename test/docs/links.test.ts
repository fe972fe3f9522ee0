// The README and every markdown file under docs/ stand alone: read the files, list the URLs that
// leave the repository and the relative links that lead nowhere, and expect neither.
//
// The rule, kept simple on purpose:
// - A URL is any `http://` or `https://` in the text, code blocks included (a curl line is read
//   and run too). Its host must be one that points at no one: `127.0.0.1`, `localhost`, or
//   example.com / example.net / example.org (or a subdomain of them), reserved for examples; or
//   hold a `<placeholder>` (`https://<id>.cloudfront.net/`): the reader's own deployment.
// - A link target (`[text](target)`, `![alt](target)`, `[label]: target`) outside code must be a
//   URL as above, `#anchor`, or a relative path to a file of the repository; an anchor into a
//   markdown file must name one of its headings (GitHub's heading ids). Any other scheme
//   (`mailto:`, protocol-relative `//host`) leaves the repository and is refused.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../infra/lambda-defaults.ts";

/** Hosts that reach nothing outside this machine, the reserved example domains, or the reader's. */
const isAllowedHost = (host: string): boolean =>
  host === "127.0.0.1" ||
  host === "localhost" ||
  /(^|\.)example\.(com|net|org)$/.test(host) ||
  /<[^>]+>/.test(host);

const URL_PATTERN = /https?:\/\/[^\s)"'`\]]+/gi;
/** The host: up to a port, path, query or fragment; a `<placeholder>` may be part of it. */
const HOST_OF_URL = /^https?:\/\/(?:[^@/\s]*@)?((?:<[^>\s]*>|[^:/?#\s<>])+)/i;

/** Lines of fenced code blocks (``` or ~~~) become empty lines: links there are not links. */
const withoutFencedCode = (markdown: string): string => {
  let fence: string | undefined;
  return markdown
    .split("\n")
    .map((line) => {
      const opener = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence === undefined) {
        if (opener) fence = opener[0];
        return opener ? "" : line;
      }
      if (opener?.[0] === fence) fence = undefined;
      return "";
    })
    .join("\n");
};

/** Inline code spans become spaces of the same length (so `[a](b)` inside backticks is no link). */
const withoutInlineCode = (text: string): string =>
  text.replace(/(`+)[^`]*?\1/g, (span) => " ".repeat(span.length));

/** GitHub's id for a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
const headingIds = (markdown: string): Set<string> => {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFencedCode(markdown).split("\n")) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M} _-]/gu, "")
      .replace(/ /g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    ids.add(count === 0 ? base : `${base}-${count}`);
  }
  return ids;
};

/** Every link target outside code: inline links and images, and reference definitions. */
const linkTargets = (markdown: string): string[] => {
  const text = withoutInlineCode(withoutFencedCode(markdown));
  const inline = [...text.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+["'(][^)]*)?\)/g)];
  const references = [...text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/gm)];
  return [...inline, ...references].map((match) => match[1] ?? "");
};

interface DocFile {
  /** Path from the project root, with `/`. */
  path: string;
  text: string;
}

/** What is wrong with one markdown file's URLs and links; `exists`/`read` see the repository. */
const linkProblems = (
  doc: DocFile,
  repository: { exists: (file: string) => boolean; read: (file: string) => string },
): string[] => {
  const problems: string[] = [];
  for (const [url] of doc.text.matchAll(URL_PATTERN)) {
    const host = HOST_OF_URL.exec(url)?.[1]?.toLowerCase() ?? "";
    if (!isAllowedHost(host)) problems.push(`${doc.path}: URL outside the repository: ${url}`);
  }
  for (const target of linkTargets(doc.text)) {
    if (/^https?:\/\//i.test(target)) continue; // checked as a URL above
    if (target === "" || /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) {
      problems.push(`${doc.path}: link that is not a relative path: "${target}"`);
      continue;
    }
    const [pathPart = "", anchor] = target.split("#", 2);
    const file = pathPart
      ? path.posix.normalize(path.posix.join(path.posix.dirname(doc.path), decodeURI(pathPart)))
      : doc.path;
    if (file.startsWith("../") || !repository.exists(file)) {
      problems.push(`${doc.path}: link to a missing file: ${target}`);
      continue;
    }
    if (anchor && file.endsWith(".md") && !headingIds(repository.read(file)).has(anchor)) {
      problems.push(`${doc.path}: link to a missing heading: ${target}`);
    }
  }
  return problems;
};

/** README.md and every markdown file under docs/, as paths from the project root. */
const documentationFiles = (): string[] => {
  const docs = readdirSync(path.join(PROJECT_ROOT, "docs"), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".md"))
    .map((file) => `docs/${file.split(path.sep).join("/")}`);
  return ["README.md", ...docs.sort()];
};

const repositoryOnDisk = {
  exists: (file: string) => existsSync(path.join(PROJECT_ROOT, file)),
  read: (file: string) =>
    statSync(path.join(PROJECT_ROOT, file)).isFile()
      ? readFileSync(path.join(PROJECT_ROOT, file), "utf8")
      : "",
};

/** A repository of in-memory files, for the checks' own tests. */
const fakeRepository = (files: Record<string, string>) => ({
  exists: (file: string) => Object.hasOwn(files, file),
  read: (file: string) => files[file] ?? "",
});

describe("the documentation stands alone", () => {
  it("covers the README and the guides the README points to", () => {
    const files = documentationFiles();
    expect(files).toEqual(
      expect.arrayContaining([
        "README.md",
        "docs/api-guide.md",
        "docs/events.md",
        "docs/runbook.md",
      ]),
    );
  });

  it.each(documentationFiles())(
    "%s has no URL outside the repository and no broken link",
    (file) => {
      const doc = { path: file, text: readFileSync(path.join(PROJECT_ROOT, file), "utf8") };
      expect(linkProblems(doc, repositoryOnDisk)).toEqual([]);
    },
  );
});

describe("the link checks", () => {
  const check = (text: string, files: Record<string, string> = {}) =>
    linkProblems(
      { path: "docs/guide.md", text },
      fakeRepository({ "docs/guide.md": text, ...files }),
    );

  it("refuse a URL to another host, in prose or in a code block", () => {
    expect(check("See https://other.test/page for more.")).toEqual([
      "docs/guide.md: URL outside the repository: https://other.test/page",
    ]);
    expect(check("```sh\ncurl http://api.other.test/orders\n```")).toEqual([
      "docs/guide.md: URL outside the repository: http://api.other.test/orders",
    ]);
    expect(check("[the spec](https://example.com.other.test/)")).toHaveLength(1);
  });

  it("accept local addresses and the reserved example domains", () => {
    const text = [
      "curl -s http://127.0.0.1:3000/policy and http://localhost:$PORT/docs",
      "`https://console.example.com` and https://api.example.org/v1 and <http://example.net>",
      "the ConsoleUrl output, `https://<id>.cloudfront.net/`",
    ].join("\n");
    expect(check(text)).toEqual([]);
  });

  it("refuse a relative link to a file that does not exist", () => {
    expect(check("Read [the runbook](runbook.md).")).toEqual([
      "docs/guide.md: link to a missing file: runbook.md",
    ]);
    expect(check("Read [the runbook](runbook.md).", { "docs/runbook.md": "# Runbook" })).toEqual(
      [],
    );
    expect(check("[up](../README.md) and [out](../../etc/passwd)", { "README.md": "" })).toEqual([
      "docs/guide.md: link to a missing file: ../../etc/passwd",
    ]);
  });

  it("refuse an anchor that names no heading of the markdown file it points to", () => {
    const runbook = "# Runbook\n\n## Where to look\n\n### MailFailed\n\n## GET /_local/events\n";
    const files = { "docs/runbook.md": runbook };
    expect(
      check(
        "[a](runbook.md#where-to-look) [b](runbook.md#mailfailed) [c](runbook.md#get-_localevents)",
        files,
      ),
    ).toEqual([]);
    expect(check("[a](runbook.md#nowhere)", files)).toEqual([
      "docs/guide.md: link to a missing heading: runbook.md#nowhere",
    ]);
    expect(check("## Errors\n\nSee [errors](#errors) and [retries](#retries).")).toEqual([
      "docs/guide.md: link to a missing heading: #retries",
    ]);
  });

  it("refuse other schemes, and ignore link syntax inside code", () => {
    expect(check("[write](mailto:ops@example.com) [cdn](//cdn.other.test/x.js)")).toEqual([
      'docs/guide.md: link that is not a relative path: "mailto:ops@example.com"',
      'docs/guide.md: link that is not a relative path: "//cdn.other.test/x.js"',
    ]);
    expect(check("`[not a link](missing.md)`\n\n```\n[nor](this.md)\n```")).toEqual([]);
  });

  it("number repeated headings as GitHub does", () => {
    expect([...headingIds("## Do\n\n## Do\n\n## `Retry-After` and **keys**\n")]).toEqual([
      "do",
      "do-1",
      "retry-after-and-keys",
    ]);
  });
});
