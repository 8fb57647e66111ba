import type { AccessControl } from './access';
import type { Store } from './store/types';

/** What every route module needs. `now` is injectable so expiry can be tested without sleeping. */
export interface CollectorContext {
  store: Store;
  access: AccessControl;
  now: () => number;
}
