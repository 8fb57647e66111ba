import { decideAttack, decideByIp, type IpStanding } from './policy';

const ip = (p: Partial<IpStanding> = {}): IpStanding => ({ allowed: false, denied: false, greylisted: false, ...p });

describe('mode semantics', () => {
  it('monitoring never blocks', () => {
    expect(decideAttack('monitoring', ip()).block).toBe(false);
    expect(decideAttack('monitoring', ip({ greylisted: true })).action).toBe('monitored');
  });
  it('safe_blocking blocks only greylisted sources', () => {
    expect(decideAttack('safe_blocking', ip()).block).toBe(false);
    expect(decideAttack('safe_blocking', ip({ greylisted: true }))).toEqual({ block: true, action: 'blocked', reason: 'mode:safe_blocking+greylist' });
  });
  it('block blocks every attack, except from allowlisted IPs', () => {
    expect(decideAttack('block', ip()).block).toBe(true);
    expect(decideAttack('block', ip({ allowed: true }))).toEqual({ block: false, action: 'monitored', reason: 'ip:allowlist' });
  });
  it('denylisted IPs are refused before inspection unless allowlisted', () => {
    expect(decideByIp(ip({ denied: true }))).toEqual({ block: true, action: 'blocked', reason: 'ip:denylist' });
    expect(decideByIp(ip({ denied: true, allowed: true }))).toBeNull();
    expect(decideByIp(ip())).toBeNull();
  });
});
