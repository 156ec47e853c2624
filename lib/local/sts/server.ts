import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsApiError } from '../aws-api-error';
import { escapeXml } from '../aws-xml';
import { type EndpointServer, startEndpointServer } from '../endpoint-server';
import { LocalOidcIssuer } from '../oidc-issuer';
import { StsAccount } from './account';
import { assumeRole } from './assume-role';
import { assumeRoleWithWebIdentity } from './assume-role-with-web-identity';
import { authenticateCaller } from './authenticate';
import { getWebIdentityToken } from './get-web-identity-token';
import { errorXml, queryParameters, resultXml } from './protocol';
import type {
  LocalCredentials,
  LocalOidcProvider,
  LocalRole,
  LocalStsCall,
  LocalStsEndpointOptions,
  LocalStsFault,
} from './types';

// A loopback endpoint speaking STS's Query protocol (form-encoded POST, XML answers, awsQuery errors)
// for AssumeRoleWithWebIdentity, AssumeRole, GetWebIdentityToken and GetCallerIdentity, so the real
// @aws-sdk/client-sts (via AWS_ENDPOINT_URL_STS) runs unchanged against it. It checks what STS checks
// and answers with STS's error codes; each action lives in its own file next to this one. Sources:
// - API reference (parameters, bounds, error codes): AssumeRoleWithWebIdentity, AssumeRole,
//   GetWebIdentityToken — https://docs.aws.amazon.com/STS/latest/APIReference/
// - token validation (web-identity.ts) and trust policies (trust.ts):
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc.html
// Messages quoted from AWS where it documents them; the rest are ours, marked where they are made.

/**
 * STS on loopback for tests and local development. Register providers and roles, then point the
 * SDK at {@link url} with `AWS_ENDPOINT_URL_STS`. `GetWebIdentityToken` signs with {@link outboundIssuer},
 * this account's own issuer (RS256 and ES384 keys, JWKS at `/.well-known/jwks.json`).
 *
 * @example
 * const sts = await LocalStsEndpoint.start();
 * sts.addOidcProvider({ url: issuer.url, clientIds: ['sts.amazonaws.com'] });
 * sts.addRole({ roleArn, webIdentityTrusts: [{ provider: issuer.url, subjects: ['repo:acme/*'] }] });
 * process.env.AWS_ENDPOINT_URL_STS = sts.url;
 */
export class LocalStsEndpoint {
  /** Starts the endpoint and its outbound-federation issuer on free loopback ports. */
  static async start(options: LocalStsEndpointOptions = {}): Promise<LocalStsEndpoint> {
    const issuer = await LocalOidcIssuer.start({ algorithms: ['RS256', 'ES384'] });
    const endpoint = new LocalStsEndpoint(options, issuer);
    endpoint.server = await startEndpointServer((req, body, res) => endpoint.handle(req, body, res));
    return endpoint;
  }

  readonly accountId: string;
  readonly region: string;
  /** The account's outbound identity federation issuer (signs `GetWebIdentityToken` tokens). */
  readonly outboundIssuer: LocalOidcIssuer;
  /** Whether `GetWebIdentityToken` works; switch it to see `OutboundWebIdentityFederationDisabledException`. */
  outboundFederationEnabled: boolean;
  /** Every call answered, in order. */
  readonly calls: LocalStsCall[] = [];

  private readonly account: StsAccount;
  private readonly faults: { fault: LocalStsFault; left: number }[] = [];
  // Set by start(), before anyone can reach the endpoint.
  private server!: EndpointServer;

  private constructor(options: LocalStsEndpointOptions, issuer: LocalOidcIssuer) {
    this.accountId = options.accountId ?? '123456789012';
    this.region = options.region ?? 'us-east-1';
    this.outboundFederationEnabled = options.outboundFederationEnabled ?? true;
    this.outboundIssuer = issuer;
    this.account = new StsAccount(this.accountId);
  }

  /** Base URL, for `AWS_ENDPOINT_URL_STS`. */
  get url(): string {
    return this.server.url;
  }

  /** Credentials the endpoint issued, oldest first (execution-role credentials included). */
  get issued(): readonly LocalCredentials[] {
    return this.account.issued;
  }

  /** Registers an IAM OIDC identity provider (like `AWS::IAM::OIDCProvider`). */
  addOidcProvider(provider: LocalOidcProvider): void {
    this.account.addOidcProvider(provider);
  }

  /** Adds a role to the account (or replaces the role with the same ARN). */
  addRole(role: LocalRole): void {
    this.account.addRole(role);
  }

  /**
   * Credentials for a session of `roleArn` as Lambda hands them to a function (its execution
   * role): pass them as `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.
   */
  executionRoleCredentials(roleArn: string, sessionName = 'local-function'): LocalCredentials {
    const role = this.account.role(roleArn);
    if (!role) throw new Error(`executionRoleCredentials: no role ${roleArn}; addRole it first`);
    return this.account.issue(role, sessionName, 12 * 3600, 'execution-role');
  }

  /** Makes the next `times` calls of `action` fail with `code` (e.g. a transient `IDPCommunicationError`). */
  injectFault(fault: LocalStsFault): void {
    this.faults.push({ fault, left: fault.times ?? 1 });
  }

  /** Stops the endpoint and its issuer. */
  async stop(): Promise<void> {
    await this.server.close();
    await this.outboundIssuer.stop();
  }

  private async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const params = queryParameters(req, body);
    const action = params.get('Action') ?? '';
    const requestId = randomUUID();
    let status = 200;
    let xml: string;
    let code: string | undefined;
    try {
      this.takeFault(action);
      xml = resultXml(action, await this.run(action, params, req, body), requestId);
    } catch (error) {
      const fault =
        error instanceof AwsApiError
          ? error
          : new AwsApiError(500, 'InternalFailure', 'The request processing has failed');
      status = fault.status;
      code = fault.code;
      xml = errorXml(fault, requestId);
    }
    this.calls.push({ action, status, code });
    res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
    res.end(xml);
  }

  private takeFault(action: string): void {
    const entry = this.faults.find((candidate) => candidate.fault.action === action && candidate.left > 0);
    if (!entry) return;
    entry.left -= 1;
    throw new AwsApiError(entry.fault.status ?? 400, entry.fault.code, entry.fault.message);
  }

  private async run(
    action: string,
    params: URLSearchParams,
    req: IncomingMessage,
    body: Buffer,
  ): Promise<string> {
    switch (action) {
      case 'AssumeRoleWithWebIdentity':
        return assumeRoleWithWebIdentity(params, this.account, this.outboundIssuer.url);
      case 'AssumeRole':
        return assumeRole(params, authenticateCaller(req, body, this.account), this.account);
      case 'GetWebIdentityToken':
        return getWebIdentityToken(params, authenticateCaller(req, body, this.account), {
          account: this.account,
          region: this.region,
          issuer: this.outboundIssuer,
          enabled: this.outboundFederationEnabled,
        });
      case 'GetCallerIdentity': {
        const caller = authenticateCaller(req, body, this.account);
        const role = this.account.roleOf(caller);
        return `<Arn>${escapeXml(caller.arn)}</Arn><UserId>${role.roleId}:${escapeXml(caller.sessionName)}</UserId><Account>${this.accountId}</Account>`;
      }
      default:
        throw new AwsApiError(
          400,
          'InvalidAction',
          `Could not find operation ${action} for version 2011-06-15`,
        );
    }
  }
}
