// Unit tests (*.spec.ts) run in parallel with fakes; integration tests (*.integration-spec.ts)
// run in band against the real Kafka, Postgres and OpenSearch that globalSetup locates or starts.
const fs = require('node:fs');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swc.$schema;
swc.jsc.baseUrl = __dirname;

const moduleNameMapper = {
  '^@signal/contracts$': '<rootDir>/libs/contracts/src/index.ts',
  '^@signal/platform$': '<rootDir>/libs/platform/src/index.ts',
  '^@signal/testing$': '<rootDir>/libs/testing/src/index.ts',
};
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.cache/'],
};

module.exports = {
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,bench,tools}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,bench,e2e}/**/*.integration-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
    },
  ],
};
