/**
 * V8 flags every plugin server runs with (the local gateway's spawn, the Dockerfile's
 * KONG_PLUGINSERVER_*_START_CMD and `npm run bench` pass exactly these; spec/docker checks the Dockerfile).
 *
 * Why: inspecting a request allocates tens of KB of short-lived objects (points, decoded views, tokens).
 * V8 starts the young generation at 1 MB semi-spaces and grows it slowly, so under steady traffic a
 * scavenge (0.25–0.5 ms here) lands on about one request in a hundred — exactly the p99. Fixed 16 MB
 * semi-spaces make that one in several hundred, for about 32 MB more resident memory per server.
 * NODE_OPTIONS cannot carry --min-semi-space-size, so these go on the node command line.
 */
export const PLUGINSERVER_V8_FLAGS: readonly string[] = ['--min-semi-space-size=16', '--max-semi-space-size=16'];
