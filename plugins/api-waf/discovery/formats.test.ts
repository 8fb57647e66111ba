import addFormats from 'ajv-formats';
import Ajv from 'ajv';
import { inferJson, inferText, stringFormat } from './formats';

describe('inferText', () => {
  test.each([
    ['42', 'integer', null], ['-7', 'integer', null], ['3.14', 'number', null], ['1e5', 'number', null], ['true', 'boolean', null],
    ['hello', 'string', null], ['1234567890123456789012', 'string', null], ['-', 'string', null], ['', 'string', null],
    ['550e8400-e29b-41d4-a716-446655440000', 'string', 'uuid'], ['2024-02-29', 'string', 'date'], ['2024-13-01', 'string', null],
    ['2024-02-29T10:11:12.5Z', 'string', 'date-time'], ['2024-02-29T10:11:12', 'string', null], ['2024-02-29T10:11:12+02:00', 'string', 'date-time'],
    ['alice@example.com', 'string', 'email'], ['a@b', 'string', null], ['10.0.0.1', 'string', 'ipv4'], ['10.0.0.256', 'string', null],
    ['https://example.com/x?y=1', 'string', 'uri'], ['javascript:alert(1)', 'string', null],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl', 'string', 'jwt'],
    ['9f86d081884c7d659a2feaa0c55ad015', 'string', 'hex'], ['deadbeefdeadbeefcafe', 'string', null],
    ['QWxhZGRpbjpvcGVuIHNlc2FtZQ==', 'string', 'base64'], ['dGhpcyBpcyBhIHRlc3Q_LWJhc2U2NHVybA', 'string', 'base64url'],
    ['the quick brown fox', 'string', null],
  ])('%s → %s/%s', (value, type, format) => {
    expect(inferText(value)).toEqual({ type, format });
  });

  test('JSON values keep their JSON type', () => {
    expect(inferJson(42)).toEqual({ type: 'integer', format: null });
    expect(inferJson(4.2)).toEqual({ type: 'number', format: null });
    expect(inferJson('42')).toEqual({ type: 'string', format: null });
    expect(inferJson(null)).toEqual({ type: 'null', format: null });
    expect(inferJson([1])).toEqual({ type: 'array', format: null });
    expect(inferJson({})).toEqual({ type: 'object', format: null });
  });

  test('every detected standard format is accepted by ajv-formats under the same name', () => {
    const ajv = new Ajv();
    addFormats(ajv, { mode: 'fast' });
    const samples = ['550e8400-e29b-41d4-a716-446655440000', '2024-02-29', '2024-02-29T10:11:12.5Z', '2024-02-29t10:11:12-05:00',
      'bob.smith+tag@mail.example.org', '192.168.1.1', 'http://x.io', 'wss://a.b/c?d#e'];
    for (const s of samples) {
      const f = stringFormat(s);
      expect(f).not.toBeNull();
      expect(ajv.validate({ type: 'string', format: f as string }, s)).toBe(true);
    }
  });
});
