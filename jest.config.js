/** Jest runs TypeScript sources directly through ts-jest in transpile-only mode (isolatedModules: no
 *  type-check per test file; `npm run typecheck`, part of `npm test`, type-checks everything once).
 *  End-to-end suites under spec/e2e need `npm run build` first, because the real kong-js-pluginserver
 *  loads the compiled plugins from dist/. `npm test` builds before it runs jest. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/lib', '<rootDir>/plugins', '<rootDir>/gateway', '<rootDir>/collector', '<rootDir>/spec', '<rootDir>/bench'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true, target: 'ES2022', module: 'commonjs', esModuleInterop: true, resolveJsonModule: true, sourceMap: true } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  maxWorkers: 2,
  testTimeout: 30000,
};
