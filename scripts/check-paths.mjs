// `npm run check-paths` (and step 1 of `npm test`): every repository path named in a comment or
// a doc exists. A comment that names a file which was moved or deleted sends the next reader
// to the wrong place, and nothing else notices.
//
// What is checked, in tracked files only (`git ls-files`):
//   - Markdown: all of the text. JSON: every string. Everything else (*.rs, *.ts, *.mjs, *.sh,
//     *.toml, *.css, *.html, .ci/*): comments only. Code strings are checked by what runs them
//     (an import that is wrong fails to build), and many are examples, not paths.
//   - A path from the root (`crate/src/pool.rs`, `scripts/build.sh`, `tests/e2e/`) must be a
//     tracked file or folder.
//   - A relative path (`demos/mod.rs`, `src/client/engine.ts`) must resolve from the file's
//     folder or one above it, or from crate/, crate/src, www/ or www/src.
//   - A bare file name (`pool.rs`) must be the name of some tracked file.
// Not paths: URLs, Rust paths (`a::b`), globs and placeholders (`rwlock_*.rs`, `demos/<id>/`),
// and what only a build or an install makes (www/pkg/, dist/, node_modules/, target/). A name
// from another project goes in FOREIGN below, with the file that mentions it.
//
// Prints `file:line: path` for each one missing (with the tracked file of the same name, if
// there is one) and exits 1 if there are any; CHECK_PATHS_DEBUG=1 also lists every path it saw.
// Plain Node, no dependencies.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

// Made by a build or an install; named in docs but never tracked.
const GENERATED = ['www/pkg', 'www/dist', 'dist', 'node_modules', 'target', 'test-results', 'bench-results', 'pkg'];
// Paths of other projects that comments cite on purpose: "file path" pairs.
const FOREIGN = new Set([
  'crate/src/sync.rs src/loom/', // tokio's
  'crate/src/queue.rs Lib/queue.py', // CPython's
  // APScheduler 3.x's, whose rules chapter 19's scheduler follows
  'crate/src/demos/scheduler/sim.rs schedulers/base.py',
  'crate/src/demos/scheduler/sim.rs executors/base.py',
  'crate/src/demos/scheduler/sim.rs triggers/interval.py',
  'crate/src/demos/scheduler/cron.rs triggers/cron/fields.py',
  'crate/src/demos/scheduler/cron.rs apscheduler/triggers/cron/__init__.py',
]);

const EXT = 'rs|ts|mjs|js|sh|md|toml|json|css|html|py|lock';
// A bare name is checked only for the kinds of file this repository writes (a bare `x.js` is
// generated glue or someone else's file).
const NAME_RE = /\.(rs|ts|mjs|sh|md|toml|json|css|html)$/;
const FILE_RE = new RegExp(`\\.(${EXT})$`);
const TOP = new Set(['crate', 'www', 'scripts', 'tests', '.ci']);

// A tracked file deleted in the work tree (not yet committed) is gone: it neither names nor is named.
const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' }).split('\0').filter((f) => f && existsSync(f));
const files = new Set(tracked);
const dirs = new Set();
const basenames = new Map();
for (const f of tracked) {
  for (let d = path.posix.dirname(f); d !== '.'; d = path.posix.dirname(d)) dirs.add(d);
  const b = path.posix.basename(f);
  if (!basenames.has(b)) basenames.set(b, []);
  basenames.get(b).push(f);
}

const exists = (p) => {
  p = path.posix.normalize(p).replace(/\/$/, '');
  if (p === '' || p === '.') return true;
  if (GENERATED.some((g) => p === g || p.startsWith(`${g}/`))) return true;
  return files.has(p) || dirs.has(p);
};

const scanned = tracked.filter(
  (f) => /\.(rs|ts|mjs|sh|md|toml|json|css|html)$/.test(f) || f.startsWith('.ci/'),
).filter((f) => f !== 'package-lock.json');

// The parts of a file to check, as [line number, text] pairs.
function regions(file, text) {
  const lines = text.split('\n');
  const out = [];
  if (file.endsWith('.md')) {
    lines.forEach((l, i) => out.push([i + 1, l]));
  } else if (file.endsWith('.json')) {
    lines.forEach((l, i) => {
      for (const m of l.matchAll(/"((?:[^"\\]|\\.)*)"/g)) out.push([i + 1, m[1]]);
    });
  } else if (/\.(sh|toml)$/.test(file) || file.startsWith('.ci/')) {
    lines.forEach((l, i) => {
      const m = l.match(/(?:^|\s)#(?!!)(.*)$/);
      if (m) out.push([i + 1, m[1]]);
    });
  } else if (file.endsWith('.html')) {
    let inComment = false;
    lines.forEach((l, i) => {
      let rest = l;
      while (rest) {
        if (inComment) {
          const end = rest.indexOf('-->');
          out.push([i + 1, end < 0 ? rest : rest.slice(0, end)]);
          if (end < 0) break;
          inComment = false;
          rest = rest.slice(end + 3);
        } else {
          const start = rest.indexOf('<!--');
          if (start < 0) break;
          inComment = true;
          rest = rest.slice(start + 4);
        }
      }
    });
  } else {
    // C-like: // line comments and /* block comments */ (*.rs, *.ts, *.mjs, *.css), outside
    // string literals ('**/*.wasm' is a glob in a string, not a comment).
    const quotes = file.endsWith('.rs') ? '"' : '"\'`';
    let inBlock = false;
    lines.forEach((l, i) => {
      let j = 0;
      while (j < l.length) {
        if (inBlock) {
          const end = l.indexOf('*/', j);
          out.push([i + 1, l.slice(j, end < 0 ? l.length : end)]);
          if (end < 0) return;
          inBlock = false;
          j = end + 2;
          continue;
        }
        const c = l[j];
        if (c === '/' && l[j + 1] === '/') {
          out.push([i + 1, l.slice(j + 2)]);
          return;
        }
        if (c === '/' && l[j + 1] === '*') {
          inBlock = true;
          j += 2;
          continue;
        }
        if (file.endsWith('.rs') && c === "'" && /^'(\\.|[^\\'])'/.test(l.slice(j))) {
          j += l.slice(j).match(/^'(\\.|[^\\'])'/)[0].length; // a char literal such as '"'
          continue;
        }
        if (quotes.includes(c)) {
          let k = j + 1;
          while (k < l.length && l[k] !== c) k += l[k] === '\\' ? 2 : 1;
          j = k + 1;
          continue;
        }
        j++;
      }
    });
  }
  return out;
}

// Candidate paths in a piece of text.
function* candidates(text) {
  text = text
    .replace(/\b[a-z][a-z+.-]*:\/\/\S*/gi, ' ') // URLs
    .replace(/\b(?:[\w-]+\.)+(?:com|org|io|dev|net|rs|app|page|pages\.dev)\/\S*/g, ' '); // URLs without a scheme
  for (const m of text.matchAll(/[\w.@$*<>{}~\/-]+/g)) {
    let p = m[0].replace(/[.,;:)]+$/, '');
    if (/[*<>{}$~@]/.test(p)) continue; // globs, placeholders, scoped npm names
    if (/(^|[/.])[A-Z]{2,}(\.|\/|$)/.test(p)) continue; // placeholders: www/snippets/NAME.py
    if (text[m.index - 1] === ':' || text[m.index + m[0].length] === ':') continue; // a::b, node:test
    if (p.startsWith('/')) continue; // a URL path on the site, or an absolute path
    if (p.includes('/')) {
      const first = p.split('/')[0];
      if (first === '' || first === '..' || first === '.') {
        yield { p, kind: 'relative' };
      } else if (TOP.has(first)) {
        yield { p, kind: 'root' };
      } else if (FILE_RE.test(p) || p.endsWith('/')) {
        if (/^\d/.test(p)) continue; // 1/2.5
        yield { p, kind: 'relative' };
      }
    } else if (NAME_RE.test(p) && /^[\w-]+(\.[\w-]+)*$/.test(p) && /[a-z]/.test(p.split('.')[0])) {
      yield { p, kind: 'name' };
    }
  }
}

// Docs name paths in context (ARCHITECTURE.md's item for crate/ names the crate's own tests
// folder from there): a path in Markdown may also be the end of a tracked path.
const endsTracked = (p) => {
  const tail = `/${path.posix.normalize(p).replace(/\/$/, '')}`;
  for (const f of files) if (f.endsWith(tail)) return true;
  for (const d of dirs) if (d.endsWith(tail)) return true;
  return false;
};

function resolves(file, { p, kind }) {
  if (file.endsWith('.md') && kind !== 'name' && (exists(p) || endsTracked(p))) return true;
  if (kind === 'root') return exists(p);
  if (kind === 'name') return basenames.has(p) || exists(p);
  const bases = [];
  for (let d = path.posix.dirname(file); ; d = path.posix.dirname(d)) {
    bases.push(d === '.' ? '' : d);
    if (d === '.') break;
  }
  bases.push('crate', 'crate/src', 'www', 'www/src');
  return bases.some((b) => exists(path.posix.join(b, p)));
}

const missing = [];
for (const file of scanned) {
  const text = readFileSync(file, 'utf8');
  for (const [line, region] of regions(file, text)) {
    for (const c of candidates(region)) {
      if (FOREIGN.has(`${file} ${c.p}`)) continue;
      if (process.env.CHECK_PATHS_DEBUG) console.log(`seen ${file}:${line}: ${c.kind} ${c.p}`);
      if (!resolves(file, c)) missing.push({ file, line, ...c });
    }
  }
}

for (const { file, line, p } of missing) {
  const same = basenames.get(path.posix.basename(p.replace(/\/$/, '')));
  const hint = same && same.length <= 3 ? ` (tracked: ${same.join(', ')})` : '';
  console.log(`${file}:${line}: ${p}${hint}`);
}
if (missing.length) {
  console.error(`check-paths: ${missing.length} path(s) named in comments or docs do not exist`);
  process.exit(1);
}
