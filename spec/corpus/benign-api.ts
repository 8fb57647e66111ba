import type { HttpRequest } from '../../lib/types';
import { BROWSER_UA, grpcFrame, pbString } from './placements';
import { Rng } from './rng';

/**
 * A generated corpus of ordinary API traffic, deterministic per seed: the kind of values real users and
 * clients send and that naive rules misread — names with apostrophes, prose that sounds like SQL or shell,
 * markdown and code snippets, URLs as parameters, JWTs, base64 blobs, addresses, emails, JSON/GraphQL/
 * form/multipart/XML/gRPC bodies. Each request has a category so FP tables show where noise comes from.
 */
const FIRST = ['Dana', 'Liam', "D'Angelo", 'Zoë', 'Siobhan', 'José', 'Mary-Kate', 'Nguyễn', 'Ōtani', 'Renée', 'Björn', 'Aaliyah', 'Chidi', 'Priya', 'Seán', 'Åsa'];
const LAST = ["O'Brien", "O'Reilly", 'Smith', "D'Souza", 'McDonald', 'van der Berg', 'García-López', "N'Diaye", 'Müller', 'Øster', 'Al-Hassan', 'Kowalski', 'de la Cruz'];
const STREETS = ['Main St', "King's Rd", 'Rue de l\'Église', 'Avenue des Champs-Élysées', 'Elm Street #4', '5th Ave, Apt 12B', 'Baker Street 221b', 'Calle 10 # 43-12'];
const CITIES = ['Springfield', "Martha's Vineyard", 'Zürich', 'São Paulo', 'Kraków', 'Tōkyō', 'St. John\'s', 'Winston-Salem'];
const PROSE = [
  'Please select a size and update the order before Friday.',
  "I'd like to drop my subscription and union the two accounts into one.",
  "Where's the delete button? I can't find it anywhere -- it used to be in settings.",
  'The script runs fine on my machine, but the build fails on CI (see log).',
  'Insert the tab into slot A, then join both panels with the screws provided.',
  "It's 5 o'clock somewhere; let's grab a drink & talk about the roadmap.",
  'Order by price, then by rating (highest first), and show only items where stock > 0.',
  'Our table from the meeting: 1 = yes, 0 = no; please fill in the rest by tomorrow.',
  'Rock & roll never dies — neither does a good cup of tea.',
  'Is 2 < 3? Yes, and 10 > 9, so the comparison holds; e-mail me if not.',
  'He said "hello" and she replied \'goodbye\'; then they both laughed.',
  'Execute the plan as discussed; the command center will confirm by noon.',
  'Update: the select committee met on Tuesday and dropped the proposal.',
  'My cat walked across the keyboard and typed asdf;lkj -- sorry about that!',
  'Can you sleep 5 hours and still function? Asking for a friend.',
  'Paths like C:\\Program Files\\App or /usr/local/bin are configured in the installer.',
  'The alert was triggered by a false alarm in the kitchen (burnt toast).',
  'Use the promo code SUMMER-2024 at checkout for 20% off.',
  '¿Dónde está la biblioteca? Está cerca de la estación.',
  '我们明天下午三点开会，请准时参加。',
  'Bitte wählen Sie eine Größe aus und aktualisieren Sie die Bestellung.',
  'Thanks!!! :) <3 see you soon ;-)',
  'Price: $19.99 (was $24.99) — save 20%!',
  'Version 2.3.1 fixes the crash when the name contains an apostrophe.',
];
const MARKDOWN = [
  '# Release notes\n\n- Fixed login bug\n- Added **dark mode**\n\n> Thanks to all contributors!',
  '## Steps\n1. Open *Settings*\n2. Click `Export`\n3. Choose [CSV](https://docs.example.com/export#csv)',
  'Here is the snippet:\n\n```js\nconst total = items.reduce((a, b) => a + b.price, 0);\nconsole.log(`Total: ${total}`);\n```',
  '```python\ndef greet(name):\n    return f"Hello, {name}!"\n```\nWorks on 3.11.',
  'Table:\n\n| name | qty |\n|------|-----|\n| nuts | 3 |\n| bolts | 10 |',
  '![screenshot](https://cdn.example.com/img/shot-42.png "Screenshot")\n\n_italic_ and ~~strike~~',
  'Use `npm install --save-dev typescript` and then `npx tsc --init`.',
  'CSS tip: `.card:hover { transform: scale(1.02); }` looks nice.',
];
const CODE = [
  'function add(a, b) { return a + b; }',
  'for (let i = 0; i < n; i++) { sum += arr[i]; }',
  'if (user && user.isActive) { showDashboard(); }',
  'const re = /^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$/i;',
  'SELECT size FROM the dropdown, then press continue',
  'x = [i * 2 for i in range(10) if i % 2 == 0]',
  'public static void main(String[] args) { System.out.println("hi"); }',
  '<div class="note">Remember to save</div>',
];
const SEARCH = ['red shoes', 'o\'reilly books', 'select a size', 'union station', 'drop ceiling tiles', 'c++ tutorial', 'how to sleep better',
  'where to buy 1/2" pipe', 'AT&T phone plans', 'rock & roll hall of fame', 'cat toys', 'order by price', '50% off', 'ben & jerry\'s', 'script writing course',
  'table for 2', 'delete account', 'insert coin', 'exec chair', 'alert dog collar', 'iphone 15 pro max 256gb', 'javascript tutorial', 'the who - live at leeds'];
const DOMAINS = ['example.com', 'shop.example.org', 'cdn.example.net', 'docs.example.io'];

function email(r: Rng): string {
  const f = r.pick(FIRST).toLowerCase().replace(/[^a-z]/g, '');
  return `${f || 'user'}${r.chance(0.5) ? '.' : '+'}${r.pick(['news', 'work', 'x', 'shop'])}${r.int(100)}@${r.pick(DOMAINS)}`;
}

function name(r: Rng): string {
  return `${r.pick(FIRST)} ${r.pick(LAST)}`;
}

function b64url(s: string): string {
  return Buffer.from(s).toString('base64url');
}

function jwt(r: Rng): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: `key-${r.int(9)}` }));
  const payload = b64url(JSON.stringify({ sub: String(100000 + r.int(900000)), name: name(r), email: email(r), iat: 1719000000 + r.int(1e6), scope: 'read:orders write:cart', aud: 'https://api.example.com' }));
  return `${header}.${payload}.${r.bytes(64).toString('base64url')}`;
}

function url(r: Rng): string {
  const paths = ['/dashboard', '/orders/123?tab=items', '/search?q=red+shoes&page=2', '/auth/callback', '/cart#checkout', '/a/b/c.html'];
  return `https://${r.pick(DOMAINS)}${r.pick(paths)}`;
}

function headers(r: Rng, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = {
    host: 'api.example.com',
    'user-agent': r.pick([BROWSER_UA, 'okhttp/4.12.0', 'MyApp/3.2.1 (iPhone; iOS 17.5; Scale/3.00)', 'python-requests/2.32.3', 'axios/1.7.2', 'PostmanRuntime/7.39.0']),
    accept: 'application/json',
    'accept-encoding': 'gzip, deflate, br',
    'x-request-id': `${r.bytes(8).toString('hex')}-${r.bytes(4).toString('hex')}`,
  };
  if (r.chance(0.6)) h.authorization = `Bearer ${jwt(r)}`;
  if (r.chance(0.5)) h.cookie = `sid=${r.bytes(16).toString('hex')}; _ga=GA1.2.${r.int(1e9)}.${1700000000 + r.int(1e7)}; consent=${encodeURIComponent(JSON.stringify({ ads: false, analytics: true }))}`;
  if (r.chance(0.3)) h.referer = url(r);
  if (r.chance(0.2)) h['x-forwarded-for'] = `${r.int(223) + 1}.${r.int(256)}.${r.int(256)}.${r.int(256)}, 10.0.0.${r.int(255)}`;
  return { ...h, ...extra };
}

function req(method: string, path: string, query: string, h: Record<string, string>, contentType?: string, body?: string | Buffer): HttpRequest {
  const hh = contentType ? { ...h, 'content-type': contentType } : h;
  return { method, path, query, headers: hh, body: body === undefined ? null : typeof body === 'string' ? Buffer.from(body, 'utf8') : body };
}

function text(r: Rng): string {
  const kind = r.int(10);
  if (kind < 5) return r.pick(PROSE);
  if (kind < 7) return r.pick(MARKDOWN);
  if (kind < 8) return r.pick(CODE);
  return `${r.pick(PROSE)} ${r.pick(PROSE)}`;
}

type Generator = (r: Rng) => HttpRequest;

/** How Go's encoding/json, Rails' json_escape and ASP.NET escape markup characters in JSON text. */
function jsEscapeMarkup(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** HTML-escaped text as a server-rendered form or a sanitizer round trip sends it back. */
function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const GENERATORS: Record<string, Generator> = {
  'get-search': (r) => req('GET', '/api/v2/products/search', `q=${encodeURIComponent(r.pick(SEARCH)).replace(/%20/g, '+')}&category=${r.pick(['shoes', 'books', 'home-garden'])}&price_min=10&price_max=200&sort=-rating&page=${r.int(20)}&utm_source=newsletter&utm_campaign=${encodeURIComponent('summer sale 2024')}`, headers(r)),
  'get-resource': (r) => req('GET', `/api/v1/users/${r.int(1e6)}/orders/${r.bytes(6).toString('hex')}`, `fields=id,total,items(name,qty)&include=shipping_address&redirect_uri=${encodeURIComponent(url(r))}`, headers(r)),
  'json-profile': (r) => req('PUT', '/api/v1/me', '', headers(r), 'application/json', JSON.stringify({
    name: name(r), email: email(r), bio: text(r), website: url(r),
    address: { line1: `${r.int(999)} ${r.pick(STREETS)}`, city: r.pick(CITIES), zip: String(10000 + r.int(89999)), country: r.pick(['US', 'FR', 'DE', 'JP', 'BR']) },
    preferences: { newsletter: r.chance(0.5), language: r.pick(['en-US', 'fr-FR', 'pt-BR']), timezone: 'Europe/Paris' }, tags: [r.pick(SEARCH), r.pick(SEARCH)],
  })),
  'json-order': (r) => req('POST', '/api/v1/orders', '', headers(r, { 'idempotency-key': r.bytes(16).toString('hex') }), 'application/json; charset=utf-8', JSON.stringify({
    items: Array.from({ length: 1 + r.int(5) }, () => ({ sku: `SKU-${r.int(99999)}`, qty: 1 + r.int(3), note: r.chance(0.3) ? r.pick(PROSE) : '' })),
    shipping: { name: name(r), phone: `+1 (555) ${100 + r.int(899)}-${1000 + r.int(8999)}`, instructions: r.pick(["Leave at the back door, it's unlocked", 'Ring twice; dog is friendly', 'N/A', 'Call me @ arrival'])},
    coupon: r.chance(0.3) ? 'SAVE-10%' : null, gift_message: r.chance(0.2) ? 'Happy b-day!! <3 -- love, mom & dad' : undefined,
  })),
  'json-comment': (r) => req('POST', `/api/v1/posts/${r.int(1e5)}/comments`, '', headers(r), 'application/json', JSON.stringify({ body: text(r), format: 'markdown', mentions: [`@${r.pick(FIRST).toLowerCase()}`] })),
  'json-blob': (r) => req('POST', '/api/v1/avatars', '', headers(r), 'application/json', JSON.stringify({ filename: `photo_${r.int(9999)}.jpg`, mime: 'image/jpeg', data: r.bytes(300 + r.int(900)).toString('base64'), checksum: r.bytes(32).toString('hex') })),
  'json-event': (r) => req('POST', '/v1/track', '', headers(r), 'text/plain;charset=UTF-8', JSON.stringify({ event: 'page_view', url: url(r), referrer: url(r), title: r.pick(PROSE).slice(0, 40), screen: '1920x1080', ts: Date.UTC(2024, 5, 1) + r.int(1e9), props: { experiment: 'checkout-v2', variant: r.pick(['a', 'b']) } })),
  'json-settings': (r) => req('PATCH', '/api/v1/settings', '', headers(r), 'application/json', JSON.stringify({ webhook_url: `https://hooks.${r.pick(DOMAINS)}/services/T0/B1/${r.bytes(12).toString('base64url')}`, filter: 'status = "open" AND priority >= 2', cron: '*/5 * * * *', template: 'Hello {name}, your order #{order_id} has shipped.', state: b64url(JSON.stringify({ returnTo: '/settings', nonce: r.bytes(8).toString('hex') })) })),
  'graphql': (r) => req('POST', '/graphql', '', headers(r), 'application/json', JSON.stringify({
    operationName: 'ProductPage',
    query: 'query ProductPage($id: ID!, $first: Int = 10, $after: String) { product(id: $id) { id name description price { amount currency } reviews(first: $first, after: $after) { edges { node { author { name } rating body } } pageInfo { hasNextPage endCursor } } ...Seo } } fragment Seo on Product { seo { title description } }',
    variables: { id: `gid://shop/Product/${r.int(1e7)}`, first: 5, after: r.chance(0.5) ? b64url(`cursor:${r.int(1000)}`) : null },
  })),
  'graphql-mutation': (r) => req('POST', '/graphql', '', headers(r), 'application/json', JSON.stringify({
    query: `mutation AddReview { addReview(productId: "${r.int(1e6)}", rating: ${1 + r.int(5)}, body: ${JSON.stringify(r.pick(PROSE))}) { id createdAt } }`,
  })),
  'form-login': (r) => req('POST', '/login', '', headers(r), 'application/x-www-form-urlencoded', `username=${encodeURIComponent(email(r))}&password=${encodeURIComponent(`${r.pick(['Tr0ub4dor&3', "p@ss'w0rd!", 'correct horse battery staple', 'Hunter2#', 'S3cr3t;;'])}${r.int(99)}`)}&remember_me=on&csrf_token=${r.bytes(24).toString('base64url')}`),
  'form-contact': (r) => req('POST', '/contact', '', headers(r), 'application/x-www-form-urlencoded', `name=${encodeURIComponent(name(r))}&email=${encodeURIComponent(email(r))}&subject=${encodeURIComponent(r.pick(SEARCH))}&message=${encodeURIComponent(text(r)).replace(/%20/g, '+')}`),
  'multipart-upload': (r) => {
    const b = `----FormBoundary${r.bytes(8).toString('hex')}`;
    const code = r.pick(CODE);
    const body = `--${b}\r\nContent-Disposition: form-data; name="title"\r\n\r\n${r.pick(PROSE)}\r\n--${b}\r\nContent-Disposition: form-data; name="file"; filename="${r.pick(['report Q2 (final).pdf', "Dana's résumé.docx", 'notes.md', 'snippet.js', 'IMG_2041.HEIC'])}"\r\nContent-Type: ${r.pick(['text/plain', 'application/octet-stream', 'text/markdown'])}\r\n\r\n${r.chance(0.5) ? code : r.bytes(200).toString('latin1')}\r\n--${b}--\r\n`;
    return req('POST', '/api/v1/files', '', headers(r), `multipart/form-data; boundary=${b}`, Buffer.from(body, 'latin1'));
  },
  'xml-soap': (r) => req('POST', '/services/CustomerService', '', headers(r, { soapaction: '"urn:UpdateCustomer"' }), 'text/xml; charset=utf-8',
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="urn:customers"><soap:Body><c:UpdateCustomer><c:Id>${r.int(1e6)}</c:Id><c:Name>${name(r).replace(/&/g, '&amp;')}</c:Name><c:Note><![CDATA[${r.pick(PROSE)}]]></c:Note><c:Email type="work">${email(r)}</c:Email></c:UpdateCustomer></soap:Body></soap:Envelope>`),
  'grpc': (r) => {
    const msg = Buffer.concat([pbString(1, name(r)), pbString(2, email(r)), pbString(3, Buffer.concat([pbString(1, `${r.int(999)} ${r.pick(STREETS)}`), pbString(2, r.pick(CITIES))])), pbString(4, r.pick(PROSE))]);
    return req('POST', '/users.v1.UserService/UpdateUser', '', headers(r, { te: 'trailers' }), 'application/grpc', grpcFrame(msg));
  },
  // rich text that went through an escaping layer: JS-escaped markup inside a JSON string, HTML references
  'json-escaped-text': (r) => req('PUT', `/api/v1/pages/${r.int(1e5)}`, '', headers(r), 'application/json', JSON.stringify({
    title: htmlEscape(r.pick(PROSE)), author: htmlEscape(name(r)), html: jsEscapeMarkup(`<p>${text(r)}</p><p><a href="${url(r)}">${r.pick(SEARCH)}</a></p>`),
    snippet: jsEscapeMarkup(r.pick(CODE)), summary: htmlEscape(`${r.pick(PROSE)} <${r.pick(['b', 'em', 'code'])}>${r.pick(SEARCH)}</${'b'}>`),
  })),
  'get-urls': (r) => req('GET', '/oauth/authorize', `response_type=code&client_id=${r.bytes(10).toString('hex')}&redirect_uri=${encodeURIComponent(`https://app.${r.pick(DOMAINS)}/callback`)}&scope=${encodeURIComponent('openid profile email')}&state=${b64url(JSON.stringify({ next: '/home', n: r.int(1e6) }))}&code_challenge=${r.bytes(32).toString('base64url')}`, headers(r)),
};

export const BENIGN_CATEGORIES = Object.keys(GENERATORS);

/** `count` generated requests, categories round-robin, deterministic for `seed`. */
export function generateBenignApi(count: number, seed = 20240601): { request: HttpRequest; label: string }[] {
  const r = new Rng(seed);
  const out: { request: HttpRequest; label: string }[] = [];
  for (let i = 0; i < count; i++) {
    const category = BENIGN_CATEGORIES[i % BENIGN_CATEGORIES.length];
    out.push({ request: GENERATORS[category](r), label: category });
  }
  return out;
}
