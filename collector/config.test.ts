import { optionsFromEnv, parseListen } from './config';

describe('collector config from env', () => {
  test('listen address forms', () => {
    expect(parseListen('0.0.0.0:8090')).toEqual({ host: '0.0.0.0', port: 8090 });
    expect(parseListen('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(parseListen('8090')).toEqual({ host: '127.0.0.1', port: 8090 });
    expect(() => parseListen('localhost:99999')).toThrow(/COLLECTOR_LISTEN/);
    expect(() => parseListen('nonsense')).toThrow();
  });

  test('reads every variable', () => {
    const options = optionsFromEnv({
      COLLECTOR_LISTEN: '0.0.0.0:8090',
      COLLECTOR_DATA_DIR: '/var/lib/collector',
      COLLECTOR_DATABASE_URL: 'postgres://db/collector',
      COLLECTOR_NODE_TOKENS: 'edge-1:aaaaaaaaaaaaaaaa,edge-2:bbbbbbbbbbbbbbbb',
      COLLECTOR_ADMIN_TOKEN: 'admin-admin-admin-admin',
      COLLECTOR_RETENTION_DAYS: '7',
    });
    expect(options).toMatchObject({
      host: '0.0.0.0', port: 8090, dataDir: '/var/lib/collector', databaseUrl: 'postgres://db/collector',
      nodeTokens: { 'edge-1': 'aaaaaaaaaaaaaaaa', 'edge-2': 'bbbbbbbbbbbbbbbb' }, adminToken: 'admin-admin-admin-admin',
      retentionDays: 7,
    });
  });

  test('defaults to loopback, SQLite, no admin token', () => {
    expect(optionsFromEnv({})).toMatchObject({ host: '127.0.0.1', port: 8090, databaseUrl: undefined, adminToken: null, nodeTokens: {} });
  });

  test('rejects weak admin tokens and bad numbers', () => {
    expect(() => optionsFromEnv({ COLLECTOR_ADMIN_TOKEN: 'short' })).toThrow(/ADMIN_TOKEN/);
    expect(() => optionsFromEnv({ COLLECTOR_RETENTION_DAYS: 'x' })).toThrow(/RETENTION/);
  });
});
