import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { awsCredentialsProvider } from '@vercel/oidc-aws-credentials-provider';

// Reads from AWS with short-lived credentials for the role AWS_ROLE_ARN, set up exactly as Vercel's
// OIDC guide does it. On Vercel the role is assumed with the deployment's OIDC token; on AWS the
// function's own role assumes it. No access keys anywhere.
const dynamodb = new DynamoDBClient({
  region: process.env.AWS_REGION!,
  credentials: awsCredentialsProvider({
    roleArn: process.env.AWS_ROLE_ARN!,
  }),
});

export async function GET(): Promise<Response> {
  try {
    const { TableNames } = await dynamodb.send(new ListTablesCommand({ Limit: 20 }));
    return Response.json({ tables: TableNames ?? [] });
  } catch (error) {
    // Say what is missing (no role, no token, a trust policy that does not match) instead of a bare 500.
    const message = error instanceof Error ? error.message : String(error);
    return Response.json({ error: message }, { status: 500 });
  }
}
