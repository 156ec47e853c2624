/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': ['@swc/jest'] },
  // Removes the cdk.outXXXX folders Template.fromStack leaves in $TMPDIR.
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
  // One DynamoDB Local for the whole run; tests read its endpoint from DYNAMODB_LOCAL_ENDPOINT.
  globalSetup: '<rootDir>/test/setup/dynamodb-local-global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/dynamodb-local-global-teardown.ts',
  testTimeout: 60_000,
};
