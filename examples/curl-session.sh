#!/usr/bin/env bash
# The README's curl session: api-waf in block mode on one route, key-auth-ext on another, and the effect.
# The same commands work against the local gateway (npm start: ADMIN=localhost:8001 PROXY=localhost:8000)
# and against Kong with a database (docker compose --profile postgres ...: ADMIN=localhost:8101 PROXY=localhost:8100).
set -u
ADMIN=${ADMIN:-localhost:8001}
PROXY=${PROXY:-localhost:8000}
KEY=kas_bob_demo_key_0001                                  # in real life: npm run keygen -- --consumer bob
HASH=sha256:$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)

# a service and two routes
curl -s -X POST $ADMIN/services -d name=orders -d url=http://upstream:9000
curl -s -X POST $ADMIN/services/orders/routes -d name=orders-api -d 'paths[]=/orders-api'
curl -s -X POST $ADMIN/services/orders/routes -d name=orders-keyed -d 'paths[]=/orders-keyed'
curl -s -X POST $ADMIN/consumers -d username=bob

# api-waf in block mode on the first route
curl -s -X POST $ADMIN/routes/orders-api/plugins -H 'content-type: application/json' \
  -d '{"name":"api-waf","config":{"mode":"block"}}'

# key-auth-ext on the second: only the key's hash is stored
curl -s -X POST $ADMIN/routes/orders-keyed/plugins -H 'content-type: application/json' \
  -d '{"name":"key-auth-ext","config":{"required_scopes":["orders:read"],"keys":[{"id":"bob-1","consumer":"bob","hash":"'$HASH'","scopes":["orders:read"]}]}}'
echo

# the effect
curl -s -w ' -> %{http_code}\n' "$PROXY/orders-api/orders?id=1"                      # 200
curl -s -w ' -> %{http_code}\n' "$PROXY/orders-api/orders?id=1'%20OR%20'1'='1"        # 403 blocked by api-waf
curl -s -w ' -> %{http_code}\n' "$PROXY/orders-keyed/orders"                         # 401 KEY_MISSING
curl -s -w ' -> %{http_code}\n' "$PROXY/orders-keyed/orders" -H "apikey: wrong-key"  # 401 invalid key
curl -s -o /dev/null -w 'with the key -> %{http_code}\n' "$PROXY/orders-keyed/orders" -H "apikey: $KEY"   # 200
