import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Code, tests and the README cite docs/ by page, section number (`docs/safety-rules.md §2`) and heading
 * (`docs/protocol.md "The 14 diseases"`), and the pages link one another. A citation that leads nowhere
 * sends a reader (a new engineer, an inspector) to a rule that is not written down.
 */
const root = resolve(__dirname, '..');
const SOURCE_DIRS = ['apps', 'libs', 'test', 'bench', 'scripts'];

function filesUnder(dir: string, keep: (file: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    return statSync(path).isDirectory() ? filesUnder(path, keep) : keep(path) ? [path] : [];
  });
}

/** A source file's text with comment continuations joined, so a citation broken over two comment lines reads whole. */
const citingText = (file: string): string => readFileSync(file, 'utf8').replace(/\n\s*(\*(?!\/)|\/\/)\s*/g, ' ');

const sources = [...SOURCE_DIRS.flatMap((dir) => filesUnder(join(root, dir), (f) => /\.(ts|js)$/.test(f))), join(root, 'README.md')];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

const headingsOf = (page: string): string[] => [...readFileSync(join(root, 'docs', page), 'utf8').matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1].trim());

interface Citation {
  file: string;
  page: string;
  detail: string;
}

function citations(pattern: RegExp, detail: (match: RegExpMatchArray) => string[]): Citation[] {
  return sources.flatMap((file) =>
    [...citingText(file).matchAll(pattern)].flatMap((match) => detail(match).map((d) => ({ file: relative(root, file), page: match[1], detail: d }))),
  );
}

describe('the docs the code cites', () => {
  it('cites only pages that exist in docs/', () => {
    const missing = citations(/docs\/([\w-]+\.md)/g, () => ['']).filter((c) => !existsSync(join(root, 'docs', c.page)));
    expect(missing).toEqual([]);
  });

  it('cites sections of docs/safety-rules.md that exist, by their number', () => {
    const numbered = new Set(headingsOf('safety-rules.md').flatMap((h) => /^(\d+)\. /.exec(h)?.[1] ?? []));
    const cited = citations(/docs\/(safety-rules\.md)((?:\s*(?:§\d+|,|and))+)/g, (m) => [...m[2].matchAll(/§(\d+)/g)].map((n) => n[1]));
    expect(cited.length).toBeGreaterThan(0);
    expect(cited.filter((c) => !numbered.has(c.detail))).toEqual([]);
  });

  it('cites headings that exist, word for word (a heading may go on after the quoted words)', () => {
    const cited = citations(/docs\/([\w-]+\.md) "([^"]+)"/g, (m) => [m[2]]);
    expect(cited.length).toBeGreaterThan(0);
    const missing = cited.filter((c) => !existsSync(join(root, 'docs', c.page)) || !headingsOf(c.page).some((h) => h.startsWith(c.detail)));
    expect(missing).toEqual([]);
  });

  it('links, from the README and every docs page, only to files and headings that exist', () => {
    const pages = [join(root, 'README.md'), ...filesUnder(join(root, 'docs'), (f) => f.endsWith('.md'))];
    const broken = pages.flatMap((page) =>
      [...readFileSync(page, 'utf8').matchAll(/\]\(([^)\s]+)\)/g)]
        .map((m) => m[1])
        .filter((link) => !/^[a-z]+:/.test(link))
        .filter((link) => {
          const [path, anchor] = link.split('#');
          const target = path === '' ? page : resolve(dirname(page), path);
          if (!existsSync(target)) return true;
          if (anchor === undefined || !target.endsWith('.md')) return false;
          const headings = [...readFileSync(target, 'utf8').matchAll(/^#{1,6} (.+)$/gm)].map((h) => anchorOf(h[1]));
          return !headings.includes(anchor);
        })
        .map((link) => `${relative(root, page)} → ${link}`),
    );
    expect(broken).toEqual([]);
  });
});
