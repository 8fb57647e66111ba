/**
 * kong-js-pluginserver module for key-auth-ext (module shape: protocol note 3.2). Loaded through
 * dist/kong-plugins/key-auth-ext/key-auth-ext.js. Nothing here may print at load time: stdout is
 * the `--dump-all-plugins` JSON that Kong parses.
 *
 * Priority 1260: just above Kong's bundled key-auth (1250), below jwt (1450) and oauth2 (1400), and
 * above everything that needs an authenticated consumer (acl 950, rate-limiting 910,
 * ip-restriction 990). See docs/key-auth-ext.md for the ordering with api-waf.
 */
import type { Kong } from '../common/pdk';
import { KeyAuthExtHandler } from './handler';
import { SCHEMA } from './schema';

class KeyAuthExt {
  private readonly handler: KeyAuthExtHandler;

  constructor(config: unknown) {
    this.handler = new KeyAuthExtHandler(config);
  }

  async access(kong: Kong): Promise<void> {
    await this.handler.access(kong);
  }
}

module.exports = {
  Plugin: KeyAuthExt,
  Name: 'key-auth-ext',
  Version: '0.1.0',
  Priority: 1260,
  Schema: SCHEMA,
};
