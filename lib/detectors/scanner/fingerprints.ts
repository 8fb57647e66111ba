/**
 * Fingerprints of attack tooling, each with the reason it is one. Matched case-insensitively as
 * substrings of header values (mostly User-Agent), except where `header` names a probe header whose
 * mere presence identifies the tool. Out-of-band (OAST) callback domains are matched in any value:
 * a payload that makes the server call such a domain is how blind injections are confirmed.
 */
export interface Fingerprint {
  token: string;
  tool: string;
  confidence: number;
  reason: string;
}

export const USER_AGENT_TOKENS: readonly Fingerprint[] = [
  { token: 'sqlmap', tool: 'sqlmap', confidence: 0.95, reason: 'default UA "sqlmap/x.y (https://sqlmap.org)"' },
  { token: 'nikto', tool: 'nikto', confidence: 0.95, reason: 'UA "Mozilla/5.00 (Nikto/2.x ...)"' },
  { token: 'nuclei', tool: 'nuclei', confidence: 0.9, reason: 'projectdiscovery nuclei templates send "Nuclei - Open-source project"' },
  { token: 'nmap scripting engine', tool: 'nmap', confidence: 0.95, reason: 'NSE http library default UA' },
  { token: 'nmap nse', tool: 'nmap', confidence: 0.9, reason: 'NSE scripts' },
  { token: 'masscan', tool: 'masscan', confidence: 0.95, reason: 'banner grab UA "masscan/1.x"' },
  { token: 'zgrab', tool: 'zgrab', confidence: 0.9, reason: 'internet-wide scanner UA "zgrab/0.x"' },
  { token: 'gobuster', tool: 'gobuster', confidence: 0.95, reason: 'UA "gobuster/3.x"' },
  { token: 'dirbuster', tool: 'dirbuster', confidence: 0.95, reason: 'OWASP DirBuster UA' },
  { token: 'feroxbuster', tool: 'feroxbuster', confidence: 0.95, reason: 'UA "feroxbuster/2.x"' },
  { token: 'fuzz faster u fool', tool: 'ffuf', confidence: 0.95, reason: 'ffuf default UA' },
  { token: 'ffuf/', tool: 'ffuf', confidence: 0.9, reason: 'ffuf versioned UA' },
  { token: 'wfuzz', tool: 'wfuzz', confidence: 0.95, reason: 'UA "Wfuzz/x.y"' },
  { token: 'acunetix', tool: 'acunetix', confidence: 0.95, reason: 'Acunetix scanner UA/headers' },
  { token: 'netsparker', tool: 'netsparker', confidence: 0.95, reason: 'Netsparker/Invicti UA' },
  { token: 'w3af', tool: 'w3af', confidence: 0.95, reason: 'w3af.org UA' },
  { token: 'arachni', tool: 'arachni', confidence: 0.95, reason: 'Arachni/v1.x UA' },
  { token: 'openvas', tool: 'openvas', confidence: 0.95, reason: 'OpenVAS/Greenbone NVT UA' },
  { token: 'wpscan', tool: 'wpscan', confidence: 0.95, reason: 'WPScan v3 UA' },
  { token: 'jaeles', tool: 'jaeles', confidence: 0.9, reason: 'Jaeles scanner UA' },
  { token: 'xray', tool: 'xray', confidence: 0.6, reason: 'chaitin xray may leave "xray" in UA (also a product name: weaker)' },
  { token: 'commix', tool: 'commix', confidence: 0.95, reason: 'commix command-injection tool UA' },
  { token: 'skipfish', tool: 'skipfish', confidence: 0.95, reason: 'skipfish UA' },
  { token: 'whatweb', tool: 'whatweb', confidence: 0.85, reason: 'WhatWeb fingerprinting UA' },
  { token: 'nessus', tool: 'nessus', confidence: 0.9, reason: 'Nessus NASL UA' },
  { token: 'qualys', tool: 'qualys', confidence: 0.7, reason: 'Qualys scanner UA' },
  { token: 'owasp zap', tool: 'zap', confidence: 0.9, reason: 'OWASP ZAP UA' },
  { token: 'zaproxy', tool: 'zap', confidence: 0.9, reason: 'ZAP UA' },
  { token: 'hydra', tool: 'hydra', confidence: 0.8, reason: 'THC-Hydra UA "Mozilla/4.0 (Hydra)"' },
  { token: 'dirb/', tool: 'dirb', confidence: 0.85, reason: 'dirb UA' },
  { token: 'httprint', tool: 'httprint', confidence: 0.9, reason: 'httprint UA' },
  { token: 'brutus', tool: 'brutus', confidence: 0.8, reason: 'Brutus AET UA' },
  { token: 'havij', tool: 'havij', confidence: 0.95, reason: 'Havij SQLi UA' },
  { token: 'morfeus', tool: 'morfeus', confidence: 0.95, reason: '"Morfeus Fucking Scanner"' },
  { token: 'zmeu', tool: 'zmeu', confidence: 0.95, reason: 'ZmEu phpMyAdmin scanner' },
  { token: 'webinspect', tool: 'webinspect', confidence: 0.9, reason: 'HP WebInspect UA' },
  { token: 'appscan', tool: 'appscan', confidence: 0.85, reason: 'IBM AppScan UA' },
  { token: 'burp', tool: 'burp', confidence: 0.6, reason: 'Burp Suite traffic sometimes keeps "Burp" in UA (weaker)' },
  { token: 'interactsh', tool: 'interactsh', confidence: 0.9, reason: 'interactsh client' },
  { token: 'xsser', tool: 'xsser', confidence: 0.95, reason: 'XSSer UA "xsser/1.x"' },
  { token: 'xsstrike', tool: 'xsstrike', confidence: 0.95, reason: 'XSStrike XSS scanner' },
  { token: 'dalfox', tool: 'dalfox', confidence: 0.95, reason: 'Dalfox XSS scanner UA' },
  { token: 'sqlninja', tool: 'sqlninja', confidence: 0.95, reason: 'sqlninja MSSQL injection tool' },
  { token: 'bbqsql', tool: 'bbqsql', confidence: 0.95, reason: 'BBQSQL blind SQL injection framework' },
  { token: 'jsql injection', tool: 'jsql', confidence: 0.95, reason: 'jSQL Injection UA' },
  { token: 'nosqlmap', tool: 'nosqlmap', confidence: 0.95, reason: 'NoSQLMap' },
  { token: 'tplmap', tool: 'tplmap', confidence: 0.95, reason: 'tplmap template-injection tool' },
  { token: 'fimap', tool: 'fimap', confidence: 0.95, reason: 'fimap file-inclusion scanner' },
  { token: 'dotdotpwn', tool: 'dotdotpwn', confidence: 0.95, reason: 'DotDotPwn traversal fuzzer' },
  { token: 'wafw00f', tool: 'wafw00f', confidence: 0.9, reason: 'WAF fingerprinting tool' },
  { token: 'joomscan', tool: 'joomscan', confidence: 0.95, reason: 'OWASP JoomScan' },
  { token: 'droopescan', tool: 'droopescan', confidence: 0.95, reason: 'CMS scanner' },
  { token: 'cmsmap', tool: 'cmsmap', confidence: 0.95, reason: 'CMSmap scanner' },
  { token: 'webscarab', tool: 'webscarab', confidence: 0.9, reason: 'OWASP WebScarab proxy/fuzzer' },
  { token: 'paros/', tool: 'paros', confidence: 0.9, reason: 'Paros proxy/scanner' },
  { token: 'sqlsus', tool: 'sqlsus', confidence: 0.95, reason: 'sqlsus MySQL injection tool' },
  { token: 'pangolin', tool: 'pangolin', confidence: 0.8, reason: 'Pangolin SQL injection tool' },
  { token: 'absinthe', tool: 'absinthe', confidence: 0.8, reason: 'Absinthe blind SQL injection tool' },
  { token: 'grabber', tool: 'grabber', confidence: 0.7, reason: 'Grabber web scanner (also an ordinary word: weaker)' },
  { token: 'detectify', tool: 'detectify', confidence: 0.85, reason: 'Detectify scanner UA' },
  { token: 'censysinspect', tool: 'censys', confidence: 0.7, reason: 'Censys internet-wide scanner' },
  { token: 'l9explore', tool: 'leakix', confidence: 0.8, reason: 'LeakIX scanner UA' },
  { token: 'expanse, a palo alto', tool: 'expanse', confidence: 0.7, reason: 'Palo Alto Expanse internet scanner' },
];

/** Header names whose presence is a tool's signature. */
export const PROBE_HEADERS: ReadonlyMap<string, Fingerprint> = new Map([
  ['x-scanner', { token: 'x-scanner', tool: 'netsparker', confidence: 0.9, reason: 'Netsparker sends X-Scanner' }],
  ['acunetix-product', { token: 'acunetix-product', tool: 'acunetix', confidence: 0.95, reason: 'Acunetix header' }],
  ['acunetix-scanning-agreement', { token: 'acunetix-scanning-agreement', tool: 'acunetix', confidence: 0.95, reason: 'Acunetix header' }],
  ['acunetix-user-agreement', { token: 'acunetix-user-agreement', tool: 'acunetix', confidence: 0.95, reason: 'Acunetix header' }],
  ['acunetix-aspect', { token: 'acunetix-aspect', tool: 'acunetix', confidence: 0.95, reason: 'Acunetix AcuSensor header' }],
  ['x-wipp', { token: 'x-wipp', tool: 'webinspect', confidence: 0.9, reason: 'HP WebInspect header' }],
  ['x-request-memo', { token: 'x-request-memo', tool: 'webinspect', confidence: 0.8, reason: 'WebInspect header' }],
  ['x-scan-memo', { token: 'x-scan-memo', tool: 'webinspect', confidence: 0.9, reason: 'WebInspect header' }],
  ['x-vulnerability-scanner', { token: 'x-vulnerability-scanner', tool: 'generic', confidence: 0.8, reason: 'self-declared scanner' }],
]);

/** Out-of-band interaction domains (Burp Collaborator, interactsh, dnslog services, canary tokens). */
export const OAST_DOMAINS: readonly Fingerprint[] = [
  { token: 'burpcollaborator.net', tool: 'burp-collaborator', confidence: 0.95, reason: 'Burp Collaborator domain' },
  { token: 'oastify.com', tool: 'burp-collaborator', confidence: 0.95, reason: 'Burp Collaborator domain' },
  { token: 'oast.pro', tool: 'interactsh', confidence: 0.95, reason: 'interactsh public server' },
  { token: 'oast.live', tool: 'interactsh', confidence: 0.95, reason: 'interactsh public server' },
  { token: 'oast.site', tool: 'interactsh', confidence: 0.95, reason: 'interactsh public server' },
  { token: 'oast.online', tool: 'interactsh', confidence: 0.95, reason: 'interactsh public server' },
  { token: 'oast.fun', tool: 'interactsh', confidence: 0.95, reason: 'interactsh public server' },
  { token: 'oast.me', tool: 'interactsh', confidence: 0.95, reason: 'interactsh public server' },
  { token: 'interact.sh', tool: 'interactsh', confidence: 0.95, reason: 'interactsh public server' },
  { token: 'dnslog.cn', tool: 'dnslog', confidence: 0.95, reason: 'dnslog.cn callback' },
  { token: 'ceye.io', tool: 'ceye', confidence: 0.95, reason: 'ceye.io callback' },
  { token: 'canarytokens.com', tool: 'canarytokens', confidence: 0.8, reason: 'canary token callback' },
  { token: 'requestrepo.com', tool: 'requestrepo', confidence: 0.8, reason: 'request capture service' },
  { token: 'xss.ht', tool: 'xsshunter', confidence: 0.9, reason: 'XSS Hunter callback' },
  { token: 'bxss.me', tool: 'acunetix', confidence: 0.95, reason: 'Acunetix blind-XSS callback' },
];
