/** The end-to-end suites under test/: they start real processes from dist/ (`npm run test:e2e` builds first). */
module.exports = {
  displayName: 'e2e',
  rootDir: '..',
  roots: ['<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }] },
  moduleNameMapper: { '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 60000,
};
