/** Loaded with `node --require` into the pluginservers `npm start` runs: see compose-hosts.ts. No output. */
import { installHostAliases, parseAliases } from './compose-hosts';

installHostAliases(parseAliases(process.env.API_SHIELD_HOST_ALIASES));
