/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  // Jest's 5 s default fails sound tests on a loaded machine (CI shares its cores);
  // no test asserts on time, this only bounds a hang.
  testTimeout: 30_000,
  roots: ['<rootDir>/lib', '<rootDir>/test', '<rootDir>/sample-app/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  collectCoverageFrom: ['lib/**/*.ts', '!lib/**/*.spec.ts'],
};
