/** Jest runs TypeScript sources directly through swc (no type-check: `npm run typecheck` does that).
 *  End-to-end suites under spec/e2e need `npm run build` first, because the real kong-js-pluginserver
 *  loads the compiled plugins from dist/. `npm test` builds before it runs jest. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/lib', '<rootDir>/plugins', '<rootDir>/gateway', '<rootDir>/collector', '<rootDir>/spec', '<rootDir>/bench'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  maxWorkers: 2,
  testTimeout: 30000,
};
