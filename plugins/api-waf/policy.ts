/**
 * The mode semantics, as Wallarm documents them for its filtering node, in one pure function:
 * - monitoring: never blocks; attacks are reported.
 * - safe_blocking: blocks attacks only from greylisted IPs (static grey list or automatic greylisting).
 * - block: blocks every attack.
 * - denylisted IPs are refused in every mode but off (off never reaches this function), before inspection.
 * - allowlisted IPs are never blocked (they are still inspected and their attacks reported, so an
 *   operator sees what a trusted source sends); allow wins over deny and grey.
 */
import type { Mode } from './config';

export interface IpStanding {
  allowed: boolean;
  denied: boolean;
  /** Static grey list or automatic greylisting; only looked up when it can change the outcome. */
  greylisted: boolean;
}

export type EventAction = 'blocked' | 'monitored' | 'passed';

export interface Decision {
  block: boolean;
  action: EventAction;
  /** Why, for the event's `rule` and the log: e.g. `mode:block`, `ip:denylist`, `ip:allowlist`. */
  reason: string;
}

/** Before inspection: only the denylist can decide. */
export function decideByIp(ip: IpStanding): Decision | null {
  if (ip.allowed || !ip.denied) return null;
  return { block: true, action: 'blocked', reason: 'ip:denylist' };
}

/** After inspection, for a request that carries an attack or a blocking policy violation. */
export function decideAttack(mode: Exclude<Mode, 'off'>, ip: IpStanding): Decision {
  if (ip.allowed) return { block: false, action: 'monitored', reason: 'ip:allowlist' };
  switch (mode) {
    case 'monitoring':
      return { block: false, action: 'monitored', reason: 'mode:monitoring' };
    case 'safe_blocking':
      return ip.greylisted
        ? { block: true, action: 'blocked', reason: 'mode:safe_blocking+greylist' }
        : { block: false, action: 'monitored', reason: 'mode:safe_blocking' };
    case 'block':
      return { block: true, action: 'blocked', reason: 'mode:block' };
  }
}
