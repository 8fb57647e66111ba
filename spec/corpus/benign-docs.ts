import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HttpRequest } from '../../lib/types';

/**
 * A stress set of benign prose: the paragraphs of the READMEs that `npm ci` installs (outside fenced
 * code blocks), each posted as a JSON comment. Developer documentation is the hardest benign text a WAF
 * sees on a forum, issue tracker or support desk: inline code spans (`` `id` ``, `` `set` ``), quoted
 * operators (`'|'`), function names (`alert()`), shell lines and literal tags. Some of it is markup or a
 * command line that a reflected-content site would want flagged, so the eval reports this set on its own
 * and does not count it in the false-positive rate. The text is read from node_modules at run time,
 * never copied into the project; package-lock.json pins the versions, so runs agree.
 */
export function loadDocsProse(root = nodeModules(), maxFiles = 400): { request: HttpRequest; label: string }[] {
  const files = readmes(root).slice(0, maxFiles);
  const out: { request: HttpRequest; label: string }[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const prose = text.split(/```[\s\S]*?```/).join('\n');
    for (const paragraph of prose.split(/\n\s*\n/)) {
      const p = paragraph.trim();
      if (p.length <= 20 || p.length >= 2000) continue;
      out.push({
        request: { method: 'POST', path: '/api/comments', query: '', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ comment: p })) },
        label: `${path.relative(root, file)}: ${p.slice(0, 80)}`,
      });
    }
  }
  return out;
}

/** The project's node_modules, found upward from this file (source under jest, dist when built). */
function nodeModules(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return candidate;
  }
}

/** README.md files up to three levels below node_modules (packages and scoped packages), sorted. */
function readmes(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isFile() && e.name.toLowerCase() === 'readme.md') out.push(full);
      else if (e.isDirectory() && depth < 2 && e.name !== '.bin') walk(full, depth + 1);
    }
  };
  walk(root, 0);
  return out.sort();
}
