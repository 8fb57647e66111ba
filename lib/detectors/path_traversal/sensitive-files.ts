/**
 * Files an attacker reads through a traversal or an include, reasoned from the OS and server layouts
 * rather than copied from a list: account databases, kernel/process views, host identity, SSH keys and
 * shell histories, Windows boot/ini/registry hives, and the configuration files of common web stacks.
 *
 * A pattern is a run of consecutive path segment names; `*` matches any one segment and a trailing `*`
 * in an element matches a prefix (`php*` → php5, php7.4). `strong` entries are never a normal thing
 * for a client to send; `weak` ones name files a legitimate client could mention (`web.config`,
 * `access.log`) and only score on their own when the value is clearly a path.
 */
export interface SensitiveFile {
  readonly pattern: readonly string[];
  readonly strong: boolean;
}

const STRONG: readonly string[] = [
  // Unix account, identity and boot files
  'etc/passwd', 'etc/shadow', 'etc/master.passwd', 'etc/group', 'etc/gshadow', 'etc/sudoers', 'etc/security/*',
  'etc/hosts', 'etc/issue', 'etc/issue.net', 'etc/hostname', 'etc/motd', 'etc/crontab', 'etc/fstab', 'etc/mtab',
  'etc/inittab', 'etc/resolv.conf', 'etc/profile', 'etc/bashrc', 'etc/environment', 'etc/ssh/*', 'etc/shells',
  'etc/mysql/*', 'etc/my.cnf', 'etc/php*/*', 'etc/apache*/*', 'etc/httpd/*', 'etc/nginx/*', 'etc/lighttpd/*',
  // Linux process and kernel views
  'proc/self/*', 'proc/*/environ', 'proc/*/cmdline', 'proc/*/fd', 'proc/*/maps', 'proc/*/status', 'proc/version',
  'proc/cmdline', 'proc/mounts', 'proc/net/*', 'proc/sched_debug', 'proc/config.gz', 'proc/cpuinfo',
  // keys, credentials and shell histories
  '.ssh/*', 'id_rsa*', 'id_dsa*', 'id_ecdsa*', 'id_ed25519*', 'authorized_keys', 'known_hosts',
  '.bash_history', '.zsh_history', '.mysql_history', '.psql_history', '.sh_history', '.viminfo', '.netrc', '.pgpass',
  '.aws/credentials', '.aws/config', '.docker/config.json', '.kube/config', '.git-credentials', '.npmrc',
  // Windows boot, system and registry hives
  'boot.ini', 'win.ini', 'system.ini', 'windows/system32/*', 'winnt/system32/*', 'system32/drivers/etc/*',
  'system32/config/*', 'repair/sam', 'repair/system', 'repair/software', 'repair/security', 'ntuser.dat',
  'unattend.xml', 'unattend*', 'sysprep.inf', 'sysprep.xml', 'applicationhost.config', 'inetpub/*', 'system volume information/*',
  // web stacks: deployment descriptors, secrets, VCS metadata
  'web-inf/web.xml', 'web-inf/*', 'meta-inf/*', '.htpasswd', 'wp-config.php', '.git/config', '.git/head',
  '.git/index', '.svn/entries', '.svn/wc.db', '.hg/*', 'tomcat-users.xml', 'localsettings.php', 'config.inc.php',
  'configuration.php', 'database.yml', 'pureftpd.pdb', 'proftpd.conf', 'var/lib/php*/*', 'var/run/secrets/*',
];

const WEAK: readonly string[] = [
  '.env', '.htaccess', 'web.config', 'php.ini', 'httpd.conf', 'apache2.conf', 'nginx.conf', 'my.ini', 'my.cnf',
  'settings.php', 'config.php', 'access_log', 'error_log', 'access.log', 'error.log', 'access_ log', 'httpd.pid',
  '.bashrc', '.profile', '.ds_store', 'server.xml', 'context.xml', 'global.asa', 'php.d/*', 'sendmail.ini',
  'mysql.err', 'mysql.log', 'hostname.err', 'shadow', 'sam', 'passwd', '.passwd', 'master.passwd', '.rhosts',
  '.shosts', '.forward', '.bash_profile', '.bash_logout', '.cshrc', '.login', '.logout', 'metabase.xml',
];

function compile(list: readonly string[], strong: boolean): SensitiveFile[] {
  return list.map((p) => ({ pattern: p.split('/'), strong }));
}

export const SENSITIVE_FILES: readonly SensitiveFile[] = [...compile(STRONG, true), ...compile(WEAK, false)];

/** A pattern element, compiled: `*` (any one name), a prefix (`php*`) or a literal name. */
interface Element {
  readonly any: boolean;
  readonly prefix: string | null;
  readonly literal: string;
}

function compileElement(element: string): Element {
  if (element === '*') return { any: true, prefix: null, literal: element };
  if (element.endsWith('*')) return { any: false, prefix: element.slice(0, -1), literal: element };
  return { any: false, prefix: null, literal: element };
}

function elementMatches(e: Element, name: string): boolean {
  if (e.any) return name !== '';
  if (e.prefix !== null) return name.startsWith(e.prefix);
  return e.literal === name;
}

interface CompiledFile {
  file: SensitiveFile;
  elements: readonly Element[];
}

/** Index by the first element's literal part so a segment only meets the patterns that could start there. */
const BY_FIRST = new Map<string, CompiledFile[]>();
const PREFIXED: CompiledFile[] = [];
for (const file of SENSITIVE_FILES) {
  const c: CompiledFile = { file, elements: file.pattern.map(compileElement) };
  const first = file.pattern[0];
  if (first.endsWith('*')) PREFIXED.push(c);
  else {
    const list = BY_FIRST.get(first) ?? [];
    list.push(c);
    BY_FIRST.set(first, list);
  }
}

export interface SensitiveMatch {
  file: SensitiveFile;
  /** Index of the first matched segment. */
  at: number;
}

/** Whether `c`'s elements match the names from `i` on. */
function matchesAt(c: CompiledFile, names: readonly string[], i: number): boolean {
  const elements = c.elements;
  if (i + elements.length > names.length) return false;
  for (let k = 0; k < elements.length; k++) if (!elementMatches(elements[k], names[i + k])) return false;
  return true;
}

/** Finds the first strong match in `names` (consecutive segment names), else the first weak one. */
export function findSensitiveFile(names: readonly string[]): SensitiveMatch | null {
  let weak: SensitiveMatch | null = null;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (name === '') continue;
    // the patterns starting with this name, then those starting with a prefix (the order they had)
    const candidates = BY_FIRST.get(name);
    const total = (candidates?.length ?? 0) + PREFIXED.length;
    for (let j = 0; j < total; j++) {
      const c = candidates !== undefined && j < candidates.length ? candidates[j] : PREFIXED[j - (candidates?.length ?? 0)];
      if (!matchesAt(c, names, i)) continue;
      if (c.file.strong) return { file: c.file, at: i };
      if (weak === null) weak = { file: c.file, at: i };
    }
  }
  return weak;
}

/** First segments of absolute Unix paths that lead into the system rather than into a web root. */
export const UNIX_SYSTEM_ROOTS: ReadonlyMap<string, number> = new Map([
  ['etc', 0.85], ['proc', 0.85], ['sys', 0.75], ['dev', 0.6], ['root', 0.8], ['boot', 0.7],
  ['var', 0.6], ['usr', 0.6], ['opt', 0.55], ['srv', 0.55], ['home', 0.55], ['bin', 0.6], ['sbin', 0.6],
  ['lib', 0.5], ['lib64', 0.5], ['tmp', 0.5], ['private', 0.55], ['library', 0.5], ['volumes', 0.55],
  ['apache', 0.55], ['apache2', 0.55], ['xampp', 0.6], ['wamp', 0.6], ['inetpub', 0.75], ['windows', 0.7],
  ['winnt', 0.75], ['nginx', 0.5], ['logs', 0.5], ['log', 0.5], ['mysql', 0.5], ['php', 0.5],
]);

/** First folders under a Windows drive letter that hold the system, the web server or its logs. */
export const WINDOWS_SYSTEM_ROOTS: ReadonlyMap<string, number> = new Map([
  ['windows', 0.8], ['winnt', 0.8], ['boot.ini', 0.9], ['inetpub', 0.8], ['system volume information', 0.8],
  ['$recycle.bin', 0.75], ['xampp', 0.75], ['wamp', 0.75], ['program files', 0.6], ['program files (x86)', 0.6],
  ['programfiles', 0.6], ['programdata', 0.6], ['documents and settings', 0.65], ['users', 0.55], ['apache', 0.65],
  ['apache2', 0.65], ['appserv', 0.65], ['system32', 0.8], ['php', 0.6], ['mysql', 0.6], ['log', 0.55], ['logs', 0.55], ['opt', 0.55], ['wwwroot', 0.6],
]);
