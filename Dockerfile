# kong-api-shield: a custom Kong image with the plugin pack, plus a small Node image for the
# demo upstream and the collector. Targets:
#   docker build --target kong -t kong-api-shield/kong .   (Kong 3.9 + Node 20 + the compiled plugins)
#   docker build --target app  -t kong-api-shield/app  .   (demo upstream, collector)
# Validated statically by spec/docker/docker-artifacts.test.ts (no Docker engine on our CI machines).

ARG KONG_VERSION=3.9.3
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: compile TypeScript, build native modules (better-sqlite3, re2) for Node 20 / glibc ----
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/kong-api-shield
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY contracts ./contracts
COPY lib ./lib
COPY plugins ./plugins
COPY gateway ./gateway
COPY collector ./collector
COPY spec ./spec
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

# ---- app: demo upstream and collector ----
FROM ${NODE_IMAGE} AS app
WORKDIR /opt/kong-api-shield
COPY --from=build /opt/kong-api-shield/package.json ./package.json
COPY --from=build /opt/kong-api-shield/node_modules ./node_modules
COPY --from=build /opt/kong-api-shield/dist ./dist
COPY kong.yaml ./kong.yaml
USER node
ENV NODE_ENV=production
CMD ["node", "dist/collector/main.js"]

# ---- kong: Kong Gateway with one JS pluginserver per plugin ----
FROM kong:${KONG_VERSION} AS kong
USER root
# Node 20 from the build stage (Ubuntu noble's own nodejs is 18); glibc in noble is newer than bookworm's.
COPY --from=build /usr/local/bin/node /usr/local/bin/node
COPY --from=build /opt/kong-api-shield/package.json /opt/kong-api-shield/package.json
COPY --from=build /opt/kong-api-shield/node_modules /opt/kong-api-shield/node_modules
COPY --from=build /opt/kong-api-shield/dist /opt/kong-api-shield/dist
RUN mkdir -p /var/lib/kong-api-shield/spool && chown -R kong:kong /var/lib/kong-api-shield
# Kong 3.9+ keeps only the first plugin of each pluginserver query, so every plugin has its own server,
# directory, socket and --sock-name. The server entry is ours (gateway/pluginserver/server.js): kong-pdk's
# server plus the fix for its event leak on kong.response.exit; it refuses to start on another kong-pdk version.
# Commands run from an nginx worker with a stripped environment: absolute paths, env set with /usr/bin/env.
ENV KONG_PLUGINS=bundled,api-waf,key-auth-ext \
    KONG_PLUGINSERVER_NAMES=api-waf,key-auth-ext \
    KONG_PLUGINSERVER_API_WAF_SOCKET=/usr/local/kong/api-waf.sock \
    KONG_PLUGINSERVER_API_WAF_START_CMD="/usr/bin/env NODE_OPTIONS=--max-old-space-size=512 API_SHIELD_SPOOL_DIR=/var/lib/kong-api-shield/spool /usr/local/bin/node --min-semi-space-size=16 --max-semi-space-size=16 /opt/kong-api-shield/dist/gateway/pluginserver/server.js --kong-prefix /usr/local/kong --sock-name api-waf.sock --plugins-directory /opt/kong-api-shield/dist/kong-plugins/api-waf" \
    KONG_PLUGINSERVER_API_WAF_QUERY_CMD="/usr/local/bin/node /opt/kong-api-shield/dist/gateway/pluginserver/server.js --plugins-directory /opt/kong-api-shield/dist/kong-plugins/api-waf --dump-all-plugins" \
    KONG_PLUGINSERVER_KEY_AUTH_EXT_SOCKET=/usr/local/kong/key-auth-ext.sock \
    KONG_PLUGINSERVER_KEY_AUTH_EXT_START_CMD="/usr/bin/env NODE_OPTIONS=--max-old-space-size=256 API_SHIELD_SPOOL_DIR=/var/lib/kong-api-shield/spool /usr/local/bin/node --min-semi-space-size=16 --max-semi-space-size=16 /opt/kong-api-shield/dist/gateway/pluginserver/server.js --kong-prefix /usr/local/kong --sock-name key-auth-ext.sock --plugins-directory /opt/kong-api-shield/dist/kong-plugins/key-auth-ext" \
    KONG_PLUGINSERVER_KEY_AUTH_EXT_QUERY_CMD="/usr/local/bin/node /opt/kong-api-shield/dist/gateway/pluginserver/server.js --plugins-directory /opt/kong-api-shield/dist/kong-plugins/key-auth-ext --dump-all-plugins"
USER kong
