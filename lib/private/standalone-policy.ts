import { Names, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { type IConstruct, Node } from 'constructs';

/**
 * A grantee whose statements go into a standalone `iam.Policy` attached to the role, instead of the
 * role's default policy.
 *
 * Why: a Lambda function depends on everything inside its role construct, including the default
 * policy. A statement there naming the distribution (e.g. `cloudfront:CreateInvalidation` on its
 * ARN) makes the function depend on the distribution — which already depends on the function's URL
 * as its origin: a circular dependency CloudFormation rejects. A policy created elsewhere and
 * attached to the role is not part of the function's dependencies, so the cycle never forms.
 *
 * The policy goes next to the role, unless `resource` (what the statements name) is in another
 * stack: then into `resource`'s stack, under `resource`. A policy in the role's stack would make
 * that stack depend on the resource's, which (for a distribution) already depends on the role's
 * stack for the function's URL — a cycle between the stacks. In the resource's stack, only the
 * role's name crosses over, in the direction the stacks already depend.
 *
 * Grantees without a role (e.g. a user or an imported principal) keep the ordinary behaviour.
 *
 * @param resource the construct the granted statements name, e.g. the `Cdn`
 */
export function standalonePolicyGrantee(grantee: iam.IGrantable, resource?: IConstruct): iam.IGrantable {
  const principal = grantee.grantPrincipal;
  if (!(principal instanceof iam.Role) || !principal.node.scope) return grantee;
  const elsewhere = resource !== undefined && Stack.of(resource) !== Stack.of(principal);
  // Next to the role, never inside it: the function depends on everything inside its role.
  const scope = elsewhere ? resource : principal.node.scope;
  const policies = POLICIES.get(principal) ?? new Map<IConstruct, iam.Policy>();
  POLICIES.set(principal, policies);
  let policy = policies.get(scope);
  if (!policy) {
    // Under `resource`, the role's path tells apart the policies of several roles.
    const id = elsewhere
      ? `StandalonePolicy${Names.uniqueId(principal)}`
      : `${principal.node.id}StandalonePolicy`;
    policy = new iam.Policy(scope, id, { roles: [principal] });
    policies.set(scope, policy);
  }
  return { grantPrincipal: new StandalonePolicyPrincipal(principal, policy) };
}

// One standalone policy per role and scope, shared by every grant that needs one.
const POLICIES = new WeakMap<iam.Role, Map<IConstruct, iam.Policy>>();

class StandalonePolicyPrincipal extends iam.PrincipalBase {
  // The role's account: grants then treat the principal as same-account and only add identity
  // statements (an unknown account would also add resource policies, e.g. CloudWatch Logs ones,
  // of which an account may only have 10 per region).
  override readonly principalAccount: string | undefined;
  private readonly role: iam.Role;
  private readonly policy: iam.Policy;

  constructor(role: iam.Role, policy: iam.Policy) {
    super();
    this.role = role;
    this.policy = policy;
    this.principalAccount = role.principalAccount;
  }

  get policyFragment(): iam.PrincipalPolicyFragment {
    return this.role.policyFragment;
  }

  override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }

  dedupeString(): string | undefined {
    return `StandalonePolicy:${Node.of(this.policy).path}`;
  }

  override toString(): string {
    return `StandalonePolicy(${Node.of(this.policy).path})`;
  }
}
