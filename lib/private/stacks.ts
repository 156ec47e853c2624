import { CfnElement, Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The stack CloudFormation deploys under its own name that holds `construct`: its stack, or for a
 * nested stack the first enclosing stack with a concrete name. A nested stack's `stackName` is a
 * token (`${Token[TOKEN.19]}`) whose number depends on how many tokens the app created before it,
 * so a name derived from it changes between synths. As `Names.uniqueResourceName` does.
 */
export function deployedStack(construct: IConstruct): Stack {
  let stack = Stack.of(construct);
  while (Token.isUnresolved(stack.stackName) && stack.nestedStackParent) stack = stack.nestedStackParent;
  return stack;
}

/** Whether `construct` is in `stack` or in one of its nested stacks. */
export function isInStack(construct: IConstruct, stack: Stack): boolean {
  for (let each: Stack | undefined = Stack.of(construct); each; each = each.nestedStackParent) {
    if (each === stack) return true;
  }
  return false;
}

/**
 * A lookup of `stack`'s own template elements (resources, parameters, outputs) by logical id, as a
 * `Ref` or `Fn::GetAtt` of its template names them. The tree is walked once, on the first lookup.
 */
export function templateElementLookup(stack: Stack): (logicalId: string) => CfnElement | undefined {
  let elements: Map<string, CfnElement> | undefined;
  return (logicalId) => {
    elements ??= new Map(
      stack.node
        .findAll()
        .filter((c: IConstruct): c is CfnElement => CfnElement.isCfnElement(c) && Stack.of(c) === stack)
        .map((element) => [stack.resolve(element.logicalId) as string, element]),
    );
    return elements.get(logicalId);
  };
}
