/**
 * kong-js-pluginserver entry for api-waf: the module shape kong-pdk loads (Plugin, Name, Version,
 * Priority, Schema). Nothing here may write to stdout: Kong parses the pluginserver's stdout as the
 * plugin-info JSON.
 *
 * Priority 1600: above every authentication plugin (jwt 1450, oauth2 1400, key-auth 1250, our key-auth-ext
 * 1260), so attacks are inspected before any credential lookup and payloads sent while guessing keys are
 * seen (an auth plugin's 401/429 would otherwise end the request first); below acme (1705), session (1900),
 * cors (2000) and bot-detection (2500), so preflights and known bots are answered first. The price: api-waf
 * does not know the consumer in its access phase (events carry route/service ids, not consumer ids).
 */
import type { Kong } from '../common/pdk';
import { ApiWafHandler } from './handler';
import { apiWafConfigErrors } from './openapi/admin-hook';
import { SCHEMA } from './schema';

class Plugin {
  private readonly handler: ApiWafHandler;

  constructor(config: unknown) {
    this.handler = new ApiWafHandler(config);
  }

  async access(kong: Kong): Promise<void> {
    return this.handler.access(kong);
  }
}

module.exports = {
  Plugin,
  Name: 'api-waf',
  Version: '0.1.0',
  Priority: 1600,
  Schema: SCHEMA,
  /** Checks Kong's schema DSL cannot express (OpenAPI document, globs, RE2); called by our pluginserver's
   *  `plugin.ValidateConfig` extension at Admin API time (real Kong never calls it). */
  ValidateConfig: apiWafConfigErrors,
};
