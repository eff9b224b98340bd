// The README and docs/ link to each other: every relative link must reach a file, every
// `#anchor` a heading of its target (GitHub's slugs), and every page of docs/ must be
// reachable from the README. No network: links to other sites are not fetched.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const root = resolve(import.meta.dirname, '../..');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The page's text outside fenced code blocks. */
function prose(file) {
  return readFileSync(join(root, file), 'utf8').split(/^```.*$/m).filter((_, i) => i % 2 === 0).join('\n');
}

/** GitHub's anchors for the page's headings: lower case, punctuation dropped, spaces to
 * hyphens, a repeated heading numbered -1, -2, … */
export function anchors(file) {
  const seen = new Map();
  const out = new Set();
  for (const [, text] of prose(file).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const base = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** `[text](target)` links of the page (images included), without external ones. */
function links(file) {
  return [...prose(file).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1])
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

test('the slugs follow GitHub\'s rules', () => {
  assert.ok(anchors('docs/measurements.md').has('block-time-scriptsblock-timesh'));
  assert.ok(anchors('README.md').has('the-two-commands'));
});

for (const page of pages) {
  test(`every link of ${page} reaches a page and a heading`, () => {
    const broken = [];
    for (const target of links(page)) {
      const [path, anchor] = target.split('#');
      const file = path ? relative(root, resolve(root, dirname(page), path)) : page;
      if (!existsSync(join(root, file))) {
        broken.push(`${target}: no file ${file}`);
      } else if (anchor !== undefined && file.endsWith('.md') && !anchors(file).has(anchor)) {
        broken.push(`${target}: no heading #${anchor} in ${file}`);
      }
    }
    assert.deepEqual(broken, [], `broken links in ${page}`);
  });
}

test('every page of docs/ is linked from the README', () => {
  const linked = new Set(links('README.md').map((t) => t.split('#')[0]));
  assert.deepEqual(pages.filter((p) => p.startsWith('docs/') && !linked.has(p)), []);
});
