/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  // Generous: these machines are shared and noisy; speed is measured in bench/, never here.
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
