/**
 * Every test once (`npm test`): unit specs beside the code in apps/, libs/ and tools/, and the
 * end-to-end suites under test/ with their own config. `npm run test:unit` and
 * `npm run test:e2e` run one project each.
 */
const { displayName: _e2e, roots: _test, testRegex: _suites, testTimeout, ...shared } = require('./test/jest-e2e.config.js');

module.exports = {
  testTimeout,
  projects: [
    { ...shared, displayName: 'unit', rootDir: __dirname, roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools'], testRegex: '.*\\.spec\\.ts$' },
    '<rootDir>/test/jest-e2e.config.js',
  ],
};
