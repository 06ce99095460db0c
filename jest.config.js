// Native ESM jest (NestJS 12 is ESM-only): run with `node --experimental-vm-modules`.
// @swc/jest strips types and keeps decorator metadata; `.js` suffixes of relative
// imports (required by nodenext resolution) are mapped back to the `.ts` sources.
const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swcOptions] },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^@tracedesk/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
  },
  testMatch: ['<rootDir>/{apps,libs,test}/**/*.spec.ts'],
  // Rooted, so a checkout that itself lives under /tmp is still tested.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tmp/', '<rootDir>/dist/'],
  testTimeout: 30000,
};
