import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The Markdown pages a newcomer reads: the README, every page of docs/ and the measurements index. */
const PAGES = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => join('docs', f)), 'docs/measurements/README.md'];

/** Relative link targets of a page, `[text](target)`: file (resolved against the page) and #fragment. */
function relativeLinks(page: string, text: string): { file: string; anchor: string | undefined }[] {
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((t) => !/^[a-z]+:/i.test(t))
    .map((t) => {
      const [path, anchor] = t.split('#');
      return { file: path ? normalize(join(dirname(page), path)) : page, anchor };
    });
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const heads = [...markdown.matchAll(/^#{1,6} +(.+)$/gm)].map((m) => m[1]);
  return new Set(heads.map((h) => h.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')));
}

describe('documentation links', () => {
  for (const page of PAGES) {
    it(`${page}: every relative link points at a file (and heading) that exists`, () => {
      const broken = relativeLinks(page, readFileSync(page, 'utf8')).flatMap(({ file, anchor }) => {
        if (!existsSync(file)) return [`${file}: no such file`];
        if (anchor && file.endsWith('.md') && !anchors(readFileSync(file, 'utf8')).has(anchor)) return [`${file}#${anchor}: no such heading`];
        return [];
      });
      expect(broken).toEqual([]);
    });
  }

  it('anchors follow GitHub: punctuation dropped, spaces to hyphens', () => {
    expect([...anchors('## On the 2-core development machine\n### `versiflow train` on the H200\n')]).toEqual([
      'on-the-2-core-development-machine',
      'versiflow-train-on-the-h200',
    ]);
  });
});
