/**
 * Reads a normalised value as a file path and decides whether it reaches outside where it should:
 * climbing above its own root with parent references, naming a sensitive file, pointing absolutely into
 * system directories, or going through a PHP stream wrapper / filter chain.
 */
import { normalizePath, splitSegments, type Segment } from './normalize';
import { CH, PC, PC_UNKNOWN } from '../../features';
import { findSensitiveFile, UNIX_SYSTEM_ROOTS, WINDOWS_SYSTEM_ROOTS } from './sensitive-files';

export interface PathFinding {
  confidence: number;
  detail: string;
  excerpt: string;
}

/** Wrappers PHP's include/fopen accept, and what including through them gives an attacker. */
const WRAPPERS: ReadonlyMap<string, number> = new Map([
  ['php', 0.95], ['phar', 0.9], ['zip', 0.85], ['expect', 0.95], ['file', 0.85], ['glob', 0.8], ['data', 0.85],
  ['compress.zlib', 0.9], ['compress.bzip2', 0.9], ['ogg', 0.7], ['rar', 0.8], ['ssh2.exec', 0.95], ['ssh2.shell', 0.95],
  ['jar', 0.8], ['netdoc', 0.85],
]);

/** php://filter chain elements, which also appear on their own in filter-chain payloads. */
const FILTER_PREFIXES = ['convert.iconv.', 'convert.base64-', 'convert.quoted-printable-', 'string.rot13', 'string.toupper|', 'zlib.inflate', 'zlib.deflate', 'dechunk'];

const ASSET_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'ico', 'css', 'js', 'mjs', 'map', 'woff', 'woff2', 'ttf', 'eot', 'html', 'htm', 'json', 'md', 'txt', 'mp4', 'webm', 'mp3', 'pdf']);

const FILEISH_EXTENSIONS = new Set(['conf', 'cnf', 'ini', 'log', 'pid', 'xml', 'err', 'dat', 'sav', 'bak', 'php', 'asp', 'aspx', 'inc', 'cfg', 'config', 'db', 'sqlite', 'pdb', 'sh', 'gz', 'keystore', 'pub', 'yml', 'yaml', 'properties', 'exe', 'dll', 'rtf', 'txt', 'old', 'env']);

/** Executables and libraries: named by process paths in telemetry, not read through a traversal. */
const BINARY_EXTENSIONS = new Set(['exe', 'dll', 'sys', 'mui', 'cpl', 'msc', 'scr', 'ocx', 'drv', 'com']);

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1) : '';
}

function isFileish(name: string): boolean {
  return FILEISH_EXTENSIONS.has(extensionOf(name)) || name.endsWith('_log') || name.endsWith('_history') || name.endsWith('rc');
}

function clip(s: string, from = 0): string {
  return s.slice(Math.max(0, from), Math.max(0, from) + 200);
}

/** A `0x` needs both classes. */
const HEX_PREFIX = PC.ZERO | PC.X;

/** `0x` or `0X` anywhere (one pass instead of two searches). */
function hasHexPrefix(s: string): boolean {
  for (let i = s.indexOf('0'); i >= 0 && i + 1 < s.length; i = s.indexOf('0', i + 1)) if ((s.charCodeAt(i + 1) | 32) === 120) return true;
  return false;
}

/**
 * Cheap test on the raw value: could this possibly be a path attack? With the value's CH mask (`chars`)
 * and PC classes (`plain`) the classes are read off them instead of searched for: each native search
 * costs more than a short value's whole mask pass, and dotted values (e-mail addresses, host names,
 * versions) are everywhere in API traffic. Without `chars`, the value is searched.
 */
export function mayBePath(value: string, chars?: number, plain: number = PC_UNKNOWN): boolean {
  if (chars === undefined) {
    if (value.indexOf('/') >= 0 || value.indexOf('\\') >= 0 || value.indexOf('%') >= 0 || value.indexOf('..') >= 0) return true;
    if (value.indexOf(':') >= 0 || hasHexPrefix(value)) return true;
    if (value.length <= 64 && value.indexOf('.') >= 0) return true; // bare names such as boot.ini, .htaccess
  } else {
    if ((chars & (CH.SLASH | CH.BACKSLASH | CH.PERCENT | CH.COLON)) !== 0) return true;
    if ((chars & CH.DOT) !== 0 && (value.length <= 64 || value.indexOf('..') >= 0)) return true;
    if ((plain & HEX_PREFIX) === HEX_PREFIX && hasHexPrefix(value)) return true;
    if ((chars & CH.NONASCII) === 0) return false;
  }
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x2000) return true; // look-alike dots/slashes
  return false;
}

/** php://filter chain element names, one search for all of them (literals: linear). */
const FILTER_NAME = /convert\.|string\.|zlib\.|dechunk/;

function wrapperFinding(norm: string): PathFinding | null {
  const colon = norm.indexOf(':');
  if (colon < 0 && norm.indexOf('.') < 0) return null;
  let from = colon < 0 ? norm.length : colon;
  for (let guard = 0; guard < 8 && colon >= 0; guard++) {
    const at = norm.indexOf(':/', from);
    if (at < 0) break;
    let s = at;
    while (s > 0) {
      const c = norm.charCodeAt(s - 1);
      if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 46 || c === 50) s -= 1;
      else break;
    }
    const scheme = norm.slice(s, at);
    const conf = WRAPPERS.get(scheme);
    // `file:` needs a path after it; `data:` only matters with the text/PHP media types include() runs
    if (conf !== undefined) {
      const rest = norm.slice(at + 1, at + 40);
      const dataOk = scheme !== 'data' || rest.startsWith('//') || rest.startsWith('/text/') ;
      if (dataOk) return { confidence: conf, detail: `path_traversal:wrapper:${scheme}`, excerpt: clip(norm, s) };
    }
    from = at + 2;
  }
  const dataAt = colon < 0 || from === colon ? -1 : norm.indexOf('data:text/plain');
  if (dataAt >= 0 && norm.indexOf('base64,', dataAt) > 0) {
    return { confidence: 0.7, detail: 'path_traversal:wrapper:data', excerpt: clip(norm, dataAt) };
  }
  if (!FILTER_NAME.test(norm)) return null;
  for (const f of FILTER_PREFIXES) {
    const i = norm.indexOf(f);
    if (i >= 0 && (i === 0 || !/[a-z0-9]/.test(norm[i - 1]))) {
      return { confidence: 0.85, detail: 'path_traversal:php-filter', excerpt: clip(norm, i) };
    }
  }
  return null;
}

interface Shape {
  segments: Segment[];
  rooted: boolean;
  drive: boolean;
  url: boolean;
  /** Index of the first path segment (after scheme/host or drive). */
  first: number;
}

/** Top-level Unix directories no web route is named after. */
const SYSTEM_ONLY = new Set(['etc', 'proc', 'sys', 'dev', 'root', 'boot', 'var', 'usr', 'bin', 'sbin', 'lib', 'lib64', 'opt', 'srv']);

function stripDigits(name: string): string {
  let e = name.length;
  while (e > 0 && name.charCodeAt(e - 1) >= 48 && name.charCodeAt(e - 1) <= 57) e -= 1;
  return name.slice(0, e);
}

function isDrive(text: string): boolean {
  const c = text.charCodeAt(0);
  return text.length === 2 && text.charCodeAt(1) === 58 && c >= 97 && c <= 122;
}

function shapeOf(norm: string): Shape {
  const segments = splitSegments(norm);
  let first = 0;
  let rooted = false;
  let drive = false;
  let url = false;
  const head = segments[0]?.text ?? '';
  if (segments.length > 1 && head === '') {
    rooted = true;
    first = 1;
    if (segments.length > 2 && isDrive(segments[1].text)) {
      // `/C:/Program Files/…`: a drive path behind a leading slash
      drive = true;
      first = 2;
    }
    // `//host/share` (UNC) or `\\?\`: still rooted, the host is not a directory to climb out of
  } else if (segments.length > 1 && isDrive(head)) {
    rooted = true;
    drive = true;
    first = 1;
  } else if (segments.length > 3 && head.endsWith(':') && segments[1].text === '' && /^[a-z][a-z0-9+.-]*:$/.test(head)) {
    // scheme://authority/path — the URL path is rooted at the authority
    url = true;
    rooted = true;
    first = 3;
  }
  return { segments, rooted, drive, url, first };
}

/** Values longer than this are only checked for climbing and wrappers: file names live in short values. */
const MAX_FILE_CHECK = 1024;

export function analyzePath(decoded: string, raw: string): PathFinding | null {
  const norm = normalizePath(decoded);
  const wrapper = wrapperFinding(norm);
  if (norm.indexOf('..') < 0) {
    // No parent reference: only file names, absolute paths and wrappers are left to find.
    if (wrapper !== null || norm.length > MAX_FILE_CHECK) return wrapper;
    if (norm.startsWith('http://') || norm.startsWith('https://')) return null;
    if (norm.indexOf('/') < 0) {
      if (norm.length > 64) return null;
      const hit = findSensitiveFile([norm]);
      if (hit === null) return null;
      return { confidence: hit.file.strong ? 0.7 : 0.55, detail: `path_traversal:file:${hit.file.pattern.join('/')}`, excerpt: clip(norm) };
    }
  }
  let best: PathFinding | null = wrapper;
  const take = (f: PathFinding): void => {
    if (best === null || f.confidence > best.confidence) best = f;
  };

  const shape = shapeOf(norm);
  const { segments, first } = shape;
  const names: string[] = [];
  const nameAt: number[] = [];
  for (let i = first; i < segments.length; i++) {
    const name = segments[i].name;
    // empty and `.` segments (`//`, `/./`, junk-only pieces) do not separate two directory names
    if (name === '' || name === '.') continue;
    names.push(name);
    nameAt.push(i);
  }

  // 1. climbing above the value's own root
  let depth = 0;
  let climbs = 0;
  let exotic = false;
  let firstClimb = -1;
  let separators = segments.length - 1;
  for (let i = first; i < segments.length; i++) {
    const seg = segments[i];
    if (seg.parent) {
      // a parent reference right after an overlong name: path-length truncation tricks (`/AAAA…A/../x`)
      if (i > first && segments[i - 1].text.length >= 128 && !segments[i - 1].parent) {
        climbs += 1;
        exotic = true;
        if (firstClimb < 0) firstClimb = seg.start;
      }
      if (norm.slice(seg.start, seg.start + 3) !== '../' && norm.slice(seg.start, seg.start + 2) !== '..') exotic = true;
      if (depth > 0) depth -= 1;
      else {
        climbs += 1;
        if (firstClimb < 0) firstClimb = seg.start;
      }
    } else if (seg.name !== '' && seg.name !== '.') depth += 1;
  }
  if (climbs > 0 && separators > 0) {
    const encoded = raw.indexOf('../') < 0 && raw.indexOf('..\\') < 0 && raw.indexOf('../') < 0;
    const backslash = decoded.indexOf('\\') >= 0;
    let confidence: number;
    if (climbs >= 2) confidence = 0.9;
    else if (shape.rooted || exotic || encoded || backslash) confidence = 0.8;
    else {
      // one plain `../` — a relative link such as ../images/a.png is how pages refer to siblings
      const last = names[names.length - 1] ?? '';
      confidence = ASSET_EXTENSIONS.has(extensionOf(last)) ? 0.4 : 0.6;
    }
    take({ confidence, detail: climbs >= 2 ? 'path_traversal:climb' : 'path_traversal:climb:1', excerpt: clip(norm, firstClimb) });
  }

  // 2. a sensitive file anywhere in the path
  const hit = findSensitiveFile(names);
  if (hit !== null) {
    const pathy = shape.rooted || separators > 0;
    const strong = hit.file.strong;
    let confidence: number;
    if (climbs > 0) confidence = 0.95;
    else if (strong) confidence = shape.rooted ? 0.9 : pathy ? 0.85 : 0.7;
    else confidence = shape.rooted && !shape.url ? 0.7 : pathy && !shape.url ? 0.6 : names.length === 1 && hit.at === 0 ? 0.55 : 0.3;
    if (shape.url && climbs === 0) confidence = Math.min(confidence, strong ? 0.6 : 0.3);
    // A program inside a system directory (`windows/system32/smartscreen.exe`) is what telemetry, crash
    // reports and EDR agents name; reading a binary leaks nothing, the secrets there are configuration.
    if (climbs === 0 && hit.file.pattern[hit.file.pattern.length - 1] === '*' && BINARY_EXTENSIONS.has(extensionOf(names[names.length - 1] ?? ''))) {
      confidence = Math.min(confidence, 0.3);
    }
    const at = segments[nameAt[hit.at]]?.start ?? 0;
    take({ confidence, detail: `path_traversal:file:${hit.file.pattern.join('/')}`, excerpt: clip(norm, at) });
  }

  // 3. an absolute path into the system (not a URL: those are checked by ssrf/open_redirect)
  if (shape.rooted && !shape.url && names.length >= 1) {
    const root = names[0];
    const last = names[names.length - 1];
    const table = shape.drive ? WINDOWS_SYSTEM_ROOTS : UNIX_SYSTEM_ROOTS;
    const base = table.get(root) ?? table.get(stripDigits(root));
    if (base !== undefined && (names.length >= 2 || root.indexOf('.') > 0)) {
      // a bare path (no spaces, no query syntax) two levels into a system directory is a file reference
      // (web routes reuse names such as /home/ and /logs/, so only the system-only roots get this)
      const pathShaped = names.length >= 2 && SYSTEM_ONLY.has(root) && !/[\s?&=]/.test(norm);
      let confidence = base >= 0.7 || isFileish(last) || last === '' || pathShaped ? Math.max(base, 0.6) : 0.4;
      // a program's own path (`c:/windows/system32/smartscreen.exe`), as process telemetry names it
      if (BINARY_EXTENSIONS.has(extensionOf(last))) confidence = Math.min(confidence, 0.3);
      take({ confidence, detail: `path_traversal:absolute:${shape.drive ? 'windows' : 'unix'}:${root}`, excerpt: clip(norm) });
    }
  }
  return best;
}
