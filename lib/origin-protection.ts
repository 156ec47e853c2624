import { createHash } from 'node:crypto';
import { Annotations, Duration, Lazy, Resource, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ConfigurationError } from './errors';
import { ORIGIN_SECRET_ARN_ENV, ORIGIN_SECRET_HEADER } from './private/constructs-contract';
import { bundledHandlerCode } from './private/edge-code';
import { regionalName } from './private/regional-name';
import { privateSourceFile } from './private/source-file';
import { deployedStack, isInStack } from './private/stacks';

/** Options of {@link OriginProtection.secretHeader}. */
export interface SecretHeaderOptions {
  /**
   * The secret whose value CloudFront sends to the function in the `x-vfa-origin-secret` header.
   * Its value must be a plain string of header-safe characters. Functions in another stack than the
   * `Cdn` need one: a secret from a stack both use (the generated one lives in the Cdn's stack,
   * which would then depend on the functions' stacks and they on it).
   *
   * @default - a new secret with a random 64-character alphanumeric value
   */
  readonly secret?: secretsmanager.ISecret;
}

/**
 * What a protection mode contributes to one distribution. Created by {@link OriginProtection._bind}
 * once per `Cdn`; not part of the public API.
 */
export interface OriginProtectionBinding {
  /**
   * The CloudFront origin for one Function URL.
   *
   * @param originId the origin's id in the distribution (the edge router selects origins by id)
   */
  origin(functionUrl: lambda.IFunctionUrl, readTimeout: Duration, originId?: string): cloudfront.IOrigin;
  /** Lambda@Edge associations every function behaviour gets. */
  readonly edgeLambdas: cloudfront.EdgeLambda[];
  /** Gives a function served under this protection what its runtime needs (environment, grants). */
  bindFunction(fn: lambda.IFunction): void;
  /**
   * The secret CloudFront sends in `x-vfa-origin-secret` (`secretHeader()` only): what an invoker
   * that bypasses CloudFront, such as a scheduled cron, must send too.
   */
  readonly originSecret?: secretsmanager.ISecret;
}

/**
 * Who may call the Lambda Function URLs behind a `Cdn`. A public Function URL bypasses CloudFront —
 * its WAF, its header sanitising, its cache — so every mode but `none()` makes direct calls fail.
 *
 * @example
 * new Cdn(this, 'Cdn', { originProtection: OriginProtection.oac() });
 */
export abstract class OriginProtection {
  /**
   * The default. Function URLs use `AWS_IAM` auth and CloudFront signs each request with an origin
   * access control (OAC). Lambda rejects signed requests whose body hash is missing, so a small
   * Lambda@Edge origin-request function (deployed to us-east-1) computes `x-amz-content-sha256` for
   * every request body; bodies above 1 MB get a clear 413. Needs a stack with an explicit region.
   */
  static oacWithBodySigning(): OriginProtection {
    return new OacProtection(true);
  }

  /**
   * Function URLs use `AWS_IAM` auth and CloudFront signs requests with OAC, without the body
   * signer: for GET/HEAD APIs, or clients that send `x-amz-content-sha256` themselves — other
   * requests with a body are rejected by Lambda with 403.
   */
  static oac(): OriginProtection {
    return new OacProtection(false);
  }

  /**
   * Function URLs are public (`NONE` auth); CloudFront adds a secret header held in Secrets Manager
   * and the adapter answers 403 when it is missing or wrong (compared in constant time). No body
   * size limit beyond Lambda's own. The secret is visible to anyone who can read the distribution's
   * configuration.
   */
  static secretHeader(options: SecretHeaderOptions = {}): OriginProtection {
    return new SecretHeaderProtection(options.secret);
  }

  /**
   * Public Function URLs without any check: anyone can bypass CloudFront. A direct caller's own
   * `CloudFront-Viewer-*` headers cannot be told from CloudFront's, so `ipAddress()` and
   * `geolocation()` return what it claims, and its `X-Forwarded-Host` becomes the host of
   * `request.url` (`x-real-ip`, `x-forwarded-for` and `x-vercel-*` it sends are still dropped).
   * Adds a synth warning.
   */
  static none(): OriginProtection {
    return new NoProtection();
  }

  /** The factory this protection came from, for messages, e.g. `OriginProtection.oac()`. */
  abstract readonly name: string;

  /** The auth type the Function URLs need under this protection. */
  abstract readonly functionUrlAuthType: lambda.FunctionUrlAuthType;

  /**
   * Creates the per-distribution resources (origin access control, Lambda@Edge signer, secret) in
   * `cdn`. Called once by each `Cdn`.
   *
   * @internal
   */
  abstract _bind(cdn: Construct): OriginProtectionBinding;
}

// CloudFront's limit on origin access control names ("You can specify up to 64 characters").
const OAC_NAME_MAX_LENGTH = 64;

class OacProtection extends OriginProtection {
  readonly name: string;
  readonly functionUrlAuthType = lambda.FunctionUrlAuthType.AWS_IAM;

  constructor(private readonly signBodies: boolean) {
    super();
    this.name = signBodies ? 'OriginProtection.oacWithBodySigning()' : 'OriginProtection.oac()';
  }

  _bind(cdn: Construct): OriginProtectionBinding {
    const originAccessControl = new cloudfront.FunctionUrlOriginAccessControl(cdn, 'OriginAccessControl', {
      // Unique per account, not per region: the name carries the region (see regionalName).
      originAccessControlName: Lazy.string({
        produce: () => regionalName(originAccessControl, OAC_NAME_MAX_LENGTH),
      }),
      signing: cloudfront.Signing.SIGV4_ALWAYS,
      description: 'Signs requests to the Lambda Function URLs behind this distribution',
    });
    const edgeLambdas: cloudfront.EdgeLambda[] = this.signBodies
      ? [
          {
            functionVersion: this.createBodySigner(cdn).currentVersion,
            eventType: cloudfront.LambdaEdgeEventType.ORIGIN_REQUEST,
            includeBody: true,
          },
        ]
      : [];
    return {
      origin: (functionUrl, readTimeout, originId) =>
        origins.FunctionUrlOrigin.withOriginAccessControl(functionUrl, {
          originAccessControl,
          readTimeout,
          originId,
        }),
      edgeLambdas,
      bindFunction: () => {},
    };
  }

  private createBodySigner(cdn: Construct): cloudfront.experimental.EdgeFunction {
    // Lambda@Edge functions must live in us-east-1. EdgeFunction puts them into a companion stack
    // there and reads the version ARN back through SSM — which needs this stack's region as a
    // concrete value, so a region-agnostic stack cannot use this mode.
    if (Token.isUnresolved(Stack.of(cdn).region)) {
      throw new ConfigurationError(
        cdn,
        'originProtection OriginProtection.oacWithBodySigning() deploys a Lambda@Edge function to us-east-1, which needs a stack with an explicit region (env: { region }); in a region-agnostic stack use OriginProtection.oac() or OriginProtection.secretHeader()',
      );
    }
    const stack = Stack.of(cdn);
    // A deployment is told apart from another of the same code in the same account by its region and
    // stack name: the construct path is the same in two stages of one app (`stackName: shop-${stage}`).
    // In a nested stack, the name of the stack it is deployed with: its own is a token that changes
    // between synths, which would deploy a new signer (and leave the old us-east-1 stack) each time.
    const stackName = deployedStack(cdn).stackName;
    const stackNameHash = shortHash(stackName);
    // EdgeFunction creates the function in one shared us-east-1 stack under this same id, so the id
    // carries the Cdn's address: two distributions in one stack (a VercelProject and another Cdn)
    // would otherwise both create `BodySigner` there and fail the synth. It also names the SSM
    // parameter holding the version ARN (`/cdk/EdgeFunctionArn/<region>/<construct path>`), unique
    // per account in us-east-1, so the id carries the stack name too.
    const signerId = `BodySigner${shortHash(`${stackName}/${cdn.node.addr}`)}`;
    const signer = new cloudfront.experimental.EdgeFunction(cdn, signerId, {
      // EdgeFunction's default support stack, `edge-lambda-stack-<stack address>`, is named after the
      // stack's path only: the same stack deployed to two regions of one account, or as two stages,
      // would share (and keep rewriting) one us-east-1 stack. With the region and the stack name in
      // its name each deployment has its own.
      stackId: `edge-lambda-stack-${stack.region}-${stack.node.addr}-${stackNameHash}`,
      description:
        'Sets x-amz-content-sha256 so CloudFront OAC can sign requests with a body to a Lambda Function URL',
      // Lambda@Edge supports a subset of Lambda's runtimes and x86_64 only (no arm64).
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.X86_64,
      handler: 'index.handler',
      code: bundledHandlerCode(privateSourceFile('edge/content-sha256.ts'), 'node22'),
      memorySize: 128,
      timeout: Duration.seconds(5),
    });
    // Findings intrinsic to Lambda@Edge, acknowledged for cdk-nag and other validation plugins.
    Validations.of(signer.lambda).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'Lambda@Edge runs in every region CloudFront serves from and writes its logs there, to /aws/lambda/us-east-1.<function> in that region, so the log groups cannot be listed in advance; AWSLambdaBasicExecutionRole grants only logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents. The function has no other permissions.',
      },
      {
        id: 'AwsSolutions::AwsSolutions-L1',
        reason:
          'Lambda@Edge supports only some Lambda runtimes; nodejs22.x is the newest it documents. The handler uses node:crypto only, so the runtime version carries no dependency risk.',
      },
    );
    return signer;
  }
}

class SecretHeaderProtection extends OriginProtection {
  readonly name = 'OriginProtection.secretHeader()';
  readonly functionUrlAuthType = lambda.FunctionUrlAuthType.NONE;

  constructor(private readonly secret?: secretsmanager.ISecret) {
    super();
  }

  _bind(cdn: Construct): OriginProtectionBinding {
    const secret = this.secret ?? createOriginSecret(cdn);
    return {
      origin: (functionUrl, readTimeout, originId) =>
        new origins.FunctionUrlOrigin(functionUrl, {
          readTimeout,
          originId,
          // A dynamic reference, resolved by CloudFormation at deploy time: the value never enters the
          // template. CloudFront overwrites a viewer-sent header of the same name with this value.
          customHeaders: { [ORIGIN_SECRET_HEADER]: secret.secretValue.unsafeUnwrap() },
        }),
      edgeLambdas: [],
      bindFunction: (fn) => {
        if (!(fn instanceof lambda.Function)) {
          throw new ConfigurationError(
            cdn,
            `${this.name} needs a lambda.Function (it sets ${ORIGIN_SECRET_ARN_ENV} on it), got ${fn.node.path}`,
          );
        }
        checkSecretStack(cdn, fn, secret);
        // The complete ARN when known: a partial one (an imported name) is ambiguous to Secrets Manager.
        fn.addEnvironment(ORIGIN_SECRET_ARN_ENV, secret.secretFullArn ?? secret.secretArn);
        grantGetSecretValue(secret, fn);
      },
      originSecret: secret,
    };
  }
}

class NoProtection extends OriginProtection {
  readonly name = 'OriginProtection.none()';
  readonly functionUrlAuthType = lambda.FunctionUrlAuthType.NONE;

  _bind(cdn: Construct): OriginProtectionBinding {
    Annotations.of(cdn).addWarningV2(
      'vercel-functions-aws:originProtectionNone',
      "originProtection is OriginProtection.none(): the Lambda Function URLs are public, so anyone can call them directly and bypass CloudFront, its WAF and its cache. Such a caller's own CloudFront-Viewer-Address / -Country / -City ... headers cannot be told from CloudFront's, so ipAddress() and geolocation() return whatever it claims, and its X-Forwarded-Host becomes the host of request.url (the x-real-ip, x-forwarded-for and x-vercel-* headers it sends are still dropped). Use OriginProtection.oacWithBodySigning() (the default) or secretHeader().",
    );
    return {
      origin: (functionUrl, readTimeout, originId) =>
        new origins.FunctionUrlOrigin(functionUrl, { readTimeout, originId }),
      edgeLambdas: [],
      bindFunction: () => {},
    };
  }
}

/**
 * A function in another stack than its Cdn reads the secret's ARN from its environment; when the
 * secret is a resource of the Cdn's stack, that stack needs the function's URL and the function's
 * stack the secret's ARN: a cycle between the stacks, which CDK reports naming neither the secret
 * nor the fix. An imported secret is a literal ARN, no reference.
 */
function checkSecretStack(cdn: Construct, fn: lambda.IFunction, secret: secretsmanager.ISecret): void {
  const cdnStack = Stack.of(cdn);
  // A nested stack of the Cdn's gets the ARN as a parameter: CloudFormation creates the secret, then
  // the nested stack, then the distribution.
  if (isInStack(fn, cdnStack) || Stack.of(secret) !== cdnStack || !Resource.isOwnedResource(secret)) return;
  // Stacks are named by their path: a nested stack's stackName is a token.
  throw new ConfigurationError(
    cdn,
    `${fn.node.path} is in stack ${Stack.of(fn).node.path}, but OriginProtection.secretHeader() keeps the origin secret ${secret.node.path} in this Cdn's stack ${cdnStack.node.path}: the function would need the secret from that stack, which needs the function's URL — a circular dependency between the stacks. Create the secret in a stack both use (new secretsmanager.Secret(sharedStack, 'OriginSecret', { generateSecretString: { excludePunctuation: true } })) and pass OriginProtection.secretHeader({ secret }) to the Cdn and the function, or put the function in the Cdn's stack or one of its nested stacks.`,
  );
}

// Eight hex characters of SHA-256: names stay short and stable across synths.
function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8);
}

function createOriginSecret(cdn: Construct): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(cdn, 'OriginSecret', {
    description:
      'Sent by CloudFront to the Lambda Function URLs behind this distribution; calls without it get 403',
    generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions::AwsSolutions-SMG4',
    reason:
      'CloudFront reads this value through a CloudFormation dynamic reference, which CloudFormation re-reads only when a deploy updates the resource holding it, so an automatic rotation would not reach CloudFront. Rotate by putting a new value and deploying a change that updates the distribution: the adapter accepts the AWSCURRENT and AWSPREVIOUS versions, so no request is refused in between. The value never appears in the template and only the functions behind this distribution may read it.',
  });
  return secret;
}

/**
 * `secretsmanager:GetSecretValue` on this secret only — all the adapter calls (no DescribeSecret, as
 * `grantRead` would add) — plus `kms:Decrypt` through Secrets Manager when a customer key encrypts it.
 */
function grantGetSecretValue(secret: secretsmanager.ISecret, fn: lambda.IFunction): void {
  iam.Grant.addToPrincipal({
    grantee: fn,
    actions: ['secretsmanager:GetSecretValue'],
    // A name-only import has no random suffix: match any, as grantRead does.
    resourceArns: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
  });
  if (secret.encryptionKey) {
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['kms:Decrypt'],
      resourceArns: [secret.encryptionKey.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(secret).region}.amazonaws.com` },
      },
    });
  }
}
