import { createDetectorInput, makePoint } from '../../detector-input';
import type { Point } from '../../types';
import { crlfDetector } from './index';

const conf = (value: string, path = 'query.q', over: Partial<Point> = {}): number =>
  crlfDetector.detect(createDetectorInput(makePoint(value, path, over)))?.confidence ?? 0;

describe('crlfDetector attacks', () => {
  it.each([
    '%0d%0aSet-Cookie:crlf=injection',
    '%0D%0ALocation:%20https://evil.example',
    'x%0d%0aContent-Length:0%0d%0a%0d%0aHTTP/1.1%20200%20OK',
    '%E5%98%8A%E5%98%8DSet-Cookie:%20x=1',
    'a\\r\\nSet-Cookie: a=b',
    '%0aX-Injected: yes',
    'a%0d%0a%0d%0a<script>alert(1)</script>',
    '%250d%250aSet-Cookie:x=y',
    '%u000d%u000aSet-Cookie:%20a=1',
    '%0d%0a%20Set-Cookie:a=b',
  ])('detects %s', (payload) => {
    expect(conf(payload)).toBeGreaterThanOrEqual(0.5);
  });

  it('detects it in header values and path segments', () => {
    expect(conf('https://a.example/%0d%0aSet-Cookie:a=b', 'header.referer')).toBeGreaterThanOrEqual(0.9);
    expect(conf('x\r\nLocation: //evil.example', 'path.1')).toBeGreaterThanOrEqual(0.9);
  });
});

describe('crlfDetector: a token split by a literal break in a body value', () => {
  it.each([
    ['\r\nSet-Cookie: sid=attacker', 'body.json.returnUrl'],
    ['/\r\nSet-Cookie: sid=attacker', 'body.form.next'],
    ['en-US\nLocation: https://evil.example/', 'body.json.lang'],
    ['report.pdf\r\nContent-Type: text/html', 'body.json.filename'],
    ['x\r\n\r\nHTTP/1.1 200 OK', 'grpc.field 1'],
    ['x\r\nX-Injected: 1', 'body.json.next'],
  ])('detects %j (%s)', (value, path) => {
    expect(conf(value, path)).toBeGreaterThanOrEqual(0.6);
  });

  it.each([
    ['\nLocation: Room 5, second floor', 'body.json.description'],
    ['Meeting notes\r\nSet-Cookie: is a response header', 'body.form.message'],
    ['Hello team,\nContent-Type: application/json is what we send', 'body.json.comment'],
    ['HTTP/1.1 200 OK\r\nContent-Type: text/html', 'body.json.rawResponse'],
  ])('leaves prose and pasted messages %j (%s)', (value, path) => {
    expect(conf(value, path)).toBeLessThan(0.5);
  });
});

describe('crlfDetector: mail protocol injection (IMAP/SMTP)', () => {
  it.each([
    ['INBOX%0d%0aA02 FETCH 1:* BODY[]', 'query.mailbox'],
    ['V100 CAPABILITY%0D%0AV101 FETCH 4791', 'query.id'],
    ['x%0d%0aDATA%0d%0aSubject: hi', 'query.to'],
    ['x%0d%0aRCPT TO:<attacker@evil.example>%0d%0aDATA', 'query.to'],
    ['x\r\nMAIL FROM:<a@evil.example>', 'body.json.from'],
    ['victim@example.com\nBcc: spam@evil.example', 'body.form.email'],
  ])('detects %j (%s)', (value, path) => {
    expect(conf(value, path)).toBeGreaterThanOrEqual(0.6);
  });

  it.each([
    ['Hi,\nI think LIST is the command we need.\nThanks', 'body.json.message'],
    ['Shopping list:\nDATA cables\nmilk', 'body.form.notes'],
  ])('leaves prose %j', (value, path) => {
    expect(conf(value, path)).toBeLessThan(0.5);
  });
});

describe('crlfDetector benign', () => {
  it.each([
    ['line one\nline two', 'query.q'],
    ['QUICK BUY\nMICHAEL KORS SLIPPERS', 'query.cd'],
    ['Dear team,\r\nNote: the meeting moved.\r\nThanks', 'body.form.message'],
    ['Subject: hello\nContent-Type: text/plain', 'body.json.note'],
    ['100%0 done', 'query.q'],
    ['U2FsdGVkX19mVCF5\n+sORVbFzqg==\n', 'cookie.bkng'],
  ])('leaves %s (%s)', (value, path) => {
    expect(conf(value, path)).toBeLessThan(0.5);
  });
});
