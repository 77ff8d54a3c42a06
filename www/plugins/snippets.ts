// Build-time code snippets: the Rust a learner reads is cut from the real source files in
// crate/src between `// snippet:start NAME` and `// snippet:end NAME`, and the Python is
// www/snippets/NAME.py. Both are highlighted here with Shiki, so the browser gets plain HTML
// and no highlighter. `import snippets from 'virtual:snippets'` gives { NAME: { rust, python } }.

import type { Plugin } from 'vite';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHighlighter } from 'shiki';

const ID = 'virtual:snippets';
const RESOLVED = '\0' + ID;
const repo = fileURLToPath(new URL('../..', import.meta.url));
const rustRoot = join(repo, 'crate/src');
const pyRoot = join(repo, 'www/snippets');

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
  return {
    name: 'playground-snippets',
    resolveId(id) {
      return id === ID ? RESOLVED : undefined;
    },
    async load(id) {
      if (id !== RESOLVED) return undefined;
      // github-dark-default, not github-dark: the latter's comments fail WCAG AA contrast.
      const hl = await createHighlighter({ themes: ['github-light', 'github-dark-default'], langs: ['rust', 'python'] });
      const render = (code: string, lang: 'rust' | 'python') =>
        hl.codeToHtml(code, { lang, themes: { light: 'github-light', dark: 'github-dark-default' }, defaultColor: false });
      const all: Record<string, Snippet> = {};
      for (const [name, { code, path }] of rustRegions()) {
        all[name] = { ...all[name], rust: { html: render(code, 'rust'), path } };
        this.addWatchFile(join(repo, path));
      }
      for (const file of readdirSync(pyRoot).filter((f) => f.endsWith('.py'))) {
        const name = file.replace(/\.py$/, '');
        const code = readFileSync(join(pyRoot, file), 'utf8').trim();
        all[name] = { ...all[name], python: { html: render(code, 'python'), path: `www/snippets/${file}` } };
        this.addWatchFile(join(pyRoot, file));
      }
      hl.dispose();
      return `export default ${JSON.stringify(all)};`;
    },
  };
}
