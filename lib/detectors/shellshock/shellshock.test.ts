import { createDetectorInput, makePoint } from '../../detector-input';
import { shellshockDetector } from './index';

const conf = (v: string, path = 'header.user-agent'): number => shellshockDetector.detect(createDetectorInput(makePoint(v, path)))?.confidence ?? 0;

describe('shellshockDetector', () => {
  it.each([
    '() { :;}; /bin/bash -c "id"',
    '(){:;};echo vulnerable',
    '() { :; }; ping -c 1 10.0.0.1',
    '() { _; } >_[$($())] { id; }',
    '%28%29%20%7B%20%3A%3B%7D%3B%20id',
    'x=() { :;}; id',
    '"() { :;}; id"',
  ])('detects %s', (v) => expect(conf(v)).toBeGreaterThanOrEqual(0.5));

  it.each([
    'function () { return 1; }',
    'const f = () => { return 1; }',
    'call f() { now',
    'Mozilla/5.0 (X11; Linux x86_64)',
    '(see above) {braces}',
  ])('ignores %s', (v) => expect(conf(v)).toBeLessThan(0.5));
});
