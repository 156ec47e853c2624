/** Environment variable through which jest's globalSetup hands the DynamoDB Local endpoint to tests. */
export const DYNAMODB_LOCAL_ENDPOINT_ENV = 'DYNAMODB_LOCAL_ENDPOINT';
