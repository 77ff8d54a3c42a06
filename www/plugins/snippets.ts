// Build-time code snippets: the Rust a learner reads is cut from the real source files in
// crate/src between `// snippet:start ID` and `// snippet:end ID`, and the Python is the
// demo's own www/src/client/demos/ID/book.py. Both are highlighted here with Shiki, so the
// browser gets plain HTML and no highlighter. `import snippet from 'virtual:snippets/ID'`
// gives { rust, python } for one demo: each demo's code loads with the demo, not before.

import type { Plugin } from 'vite';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHighlighter } from 'shiki';

const PREFIX = 'virtual:snippets/';
const RESOLVED = '\0' + PREFIX;
const repo = fileURLToPath(new URL('../..', import.meta.url));
const rustRoot = join(repo, 'crate/src');
const demosRoot = join(repo, 'www/src/client/demos');

interface Snippet {
  rust?: { html: string; path: string };
  python?: { html: string; path: string };
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function dedent(lines: string[]): string {
  const indents = lines.filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length);
  const cut = Math.min(...indents);
  return lines.map((l) => l.slice(cut)).join('\n').trim();
}

/** Every `snippet:start NAME` .. `snippet:end NAME` region of the Rust sources. */
export function rustRegions(): Map<string, { code: string; path: string }> {
  const out = new Map<string, { code: string; path: string }>();
  for (const file of walk(rustRoot).filter((f) => f.endsWith('.rs'))) {
    const lines = readFileSync(file, 'utf8').split('\n');
    let name: string | undefined;
    let body: string[] = [];
    for (const line of lines) {
      const start = line.match(/\/\/ snippet:start (\S+)/);
      const end = line.match(/\/\/ snippet:end (\S+)/);
      if (start) {
        name = start[1];
        body = [];
      } else if (end && name) {
        if (end[1] !== name) throw new Error(`${file}: snippet ${name} closed as ${end[1]}`);
        if (out.has(name)) throw new Error(`${file}: snippet ${name} defined twice`);
        out.set(name, { code: dedent(body), path: relative(repo, file) });
        name = undefined;
      } else if (name) {
        body.push(line);
      }
    }
    if (name) throw new Error(`${file}: snippet ${name} is never closed`);
  }
  return out;
}

export function snippets(): Plugin {
  let highlighter: ReturnType<typeof createHighlighter> | undefined;
  return {
    name: 'playground-snippets',
    resolveId(id) {
      return id.startsWith(PREFIX) ? '\0' + id : undefined;
    },
    async load(id) {
      if (!id.startsWith(RESOLVED)) return undefined;
      const demo = id.slice(RESOLVED.length);
      if (!/^[a-z][a-z0-9-]*$/.test(demo)) throw new Error(`snippets: bad demo id ${demo}`);
      // github-dark-default, not github-dark: the latter's comments fail WCAG AA contrast.
      highlighter ??= createHighlighter({ themes: ['github-light', 'github-dark-default'], langs: ['rust', 'python'] });
      const hl = await highlighter;
      const render = (code: string, lang: 'rust' | 'python') =>
        hl.codeToHtml(code, { lang, themes: { light: 'github-light', dark: 'github-dark-default' }, defaultColor: false });
      const out: Snippet = {};
      const rust = rustRegions().get(demo);
      if (rust) {
        out.rust = { html: render(rust.code, 'rust'), path: rust.path };
        this.addWatchFile(join(repo, rust.path));
      }
      const py = join(demosRoot, demo, 'book.py');
      if (existsSync(py)) {
        out.python = { html: render(readFileSync(py, 'utf8').trim(), 'python'), path: relative(repo, py) };
        this.addWatchFile(py);
      }
      if (!out.rust && !out.python) throw new Error(`snippets: demo ${demo} has no snippet:start ${demo} region and no book.py`);
      return `export default ${JSON.stringify(out)};`;
    },
    async buildEnd() {
      (await highlighter)?.dispose();
      highlighter = undefined;
    },
  };
}
