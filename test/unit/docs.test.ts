/** The docs against the code: the error table and the configuration table, every relative link, the README's size. */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { ERROR_TABLE } from "../../api/errors/catalog.js";
import { configVariables } from "../../shared/runtime/config.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const README_MAX_BYTES = 15_000;

function read(path: string): string {
  return readFileSync(join(ROOT, path), "utf8");
}

/** The pages of docs/, one an audience (or a concern) each. */
const DOC_PAGES = ["api", "permissions", "directory", "audit", "configuration", "operations", "performance", "architecture"].map((name) => `docs/${name}.md`);

/** The Markdown files the docs consist of, relative to the repository root: the pages above and any other in docs/. */
function markdownFiles(): string[] {
  const present = existsSync(join(ROOT, "docs")) ? readdirSync(join(ROOT, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`) : [];
  return [...new Set(["README.md", "SECURITY.md", ...DOC_PAGES, ...present])];
}

/** The text without fenced code blocks, whose brackets and `#` lines are not Markdown. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
}

/** The lines of one section: from the heading named `title` to the next heading of its level or above. */
function section(markdown: string, title: string): string[] {
  const lines = prose(markdown).split("\n");
  const start = lines.findIndex((line) => /^#+ /.test(line) && line.replace(/^#+ /, "").trim() === title);
  expect(start, `a heading "${title}"`).to.be.at.least(0);
  const level = /^#+/.exec(lines[start]!)![0].length;
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && /^#+/.exec(line)![0].length <= level);
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

/** The body rows of the Markdown tables in `lines` (not their header rows), each as its cells. */
function tableRows(lines: readonly string[]): string[][] {
  const separator = (line: string | undefined) => line !== undefined && /^\|[\s|:-]+\|$/.test(line);
  return lines
    .filter((line, i) => line.startsWith("|") && !separator(line) && !separator(lines[i + 1]))
    .map((line) => line.slice(1, line.endsWith("|") ? -1 : undefined).split(" | ").map((cell) => cell.trim()));
}

/** The `code` spans of a cell, in order. */
function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens; repeats get -1, -2, … */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(markdown).split("\n")) {
    const heading = /^#{1,6} (.*)$/.exec(line);
    if (heading === null) continue;
    const slug = heading[1]!.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

/** Every link target of a Markdown file that is not an absolute URL. */
function relativeLinks(markdown: string): string[] {
  const text = prose(markdown).replace(/`[^`\n]*`/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe("the docs", () => {
  it(`keep the README at most ${README_MAX_BYTES} bytes`, () => {
    expect(Buffer.byteLength(read("README.md"), "utf8")).to.be.at.most(README_MAX_BYTES);
  });

  it("link every page of docs/ and SECURITY.md from the README", () => {
    const linked = new Set(relativeLinks(read("README.md")).map((target) => target.split("#")[0]));
    for (const page of [...markdownFiles().filter((path) => path.startsWith("docs/")), "SECURITY.md"]) expect(linked, page).to.include(page);
  });

  it("list in docs/api.md's error table exactly the codes of the catalog, each with its status and meaning", () => {
    const rows = tableRows(section(read("docs/api.md"), "Errors")).filter((cells) => /^`\d{3}-\d{3}`$/.test(cells[0]!));
    const documented = rows.map(([code, status, meaning]) => [code!.slice(1, -1), Number(status), meaning]);
    const catalog = ERROR_TABLE.map(({ code, status, meaning }) => [code, status, meaning]);
    expect(documented).to.have.deep.members(catalog);
    expect(documented).to.have.length(catalog.length);
  });

  describe("docs/configuration.md's table", () => {
    const variables = configVariables();
    const rows = () => tableRows(section(read("docs/configuration.md"), "Configuration"));

    it("names exactly the variables the configuration reads, each once", () => {
      const documented = rows().flatMap(([names]) => codeSpans(names!));
      expect(documented).to.have.members([...variables.keys()]);
    });

    it("states, where it states a default, the one the code has", () => {
      for (const [names, defaults] of rows()) {
        const stated = codeSpans(defaults!)[0]?.replace(/<([A-Z][A-Z0-9_]*)>/g, (_, name: string) => variables.get(name) ?? `<${name}>`);
        if (stated === undefined) continue;
        for (const name of codeSpans(names!)) expect(stated, name).to.equal(variables.get(name));
      }
    });
  });

  it("lead every relative link in README.md, SECURITY.md and docs/ to an existing file and heading", () => {
    const broken: string[] = [];
    for (const file of markdownFiles()) {
      if (!existsSync(join(ROOT, file))) {
        broken.push(`${file}: missing`);
        continue;
      }
      for (const link of relativeLinks(read(file))) {
        const [path, anchor] = link.split("#") as [string, string | undefined];
        const target = path === "" ? file : relative(ROOT, join(ROOT, dirname(file), decodeURI(path)));
        if (!existsSync(join(ROOT, target)) || !statSync(join(ROOT, target)).isFile()) broken.push(`${file}: ${link} (no such file)`);
        else if (anchor !== undefined && !anchors(read(target)).has(anchor)) broken.push(`${file}: ${link} (no such heading)`);
      }
    }
    expect(broken, broken.join("; ")).to.deep.equal([]);
  });
});
