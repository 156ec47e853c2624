import type { AssemblyStack, CfnTemplate } from '../../../../lib/local/cloudfront';
import { CloudFrontEmulationError, StackResolver } from '../../../../lib/local/cloudfront';

function stackOf(resources: CfnTemplate['Resources']): AssemblyStack {
  return {
    outdir: '/tmp/none',
    stackName: 'S',
    region: 'eu-central-1',
    template: { Resources: resources },
    assets: new Map(),
  };
}

const RESOURCES: CfnTemplate['Resources'] = {
  Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
  Url: { Type: 'AWS::Lambda::Url', Properties: {} },
  Table: { Type: 'AWS::DynamoDB::GlobalTable', Properties: {} },
  Store: { Type: 'AWS::CloudFront::KeyValueStore', Properties: { Name: 'routes' } },
  Secret: { Type: 'AWS::SecretsManager::Secret', Properties: {} },
  Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
};

describe('StackResolver', () => {
  const resolver = new StackResolver(stackOf(RESOURCES), {
    tableNames: { Table: 'cache-1' },
    secretValues: { Secret: '{"k":"v"}' },
  });

  test('evaluates Join, Select, Split, Sub and GetAtt with local values', () => {
    expect(
      resolver.resolveString(
        { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': ['Url', 'FunctionUrl'] }] }] },
        'DomainName',
      ),
    ).toMatch(/^[a-z0-9]{32}\.lambda-url\.eu-central-1\.on\.aws$/);
    expect(
      resolver.resolveString({ 'Fn::Join': ['-', [{ Ref: 'Table' }, { Ref: 'AWS::Region' }]] }, 'x'),
    ).toBe('cache-1-eu-central-1');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's own ${} syntax.
    const sub = '${Fn.Arn}|${AWS::AccountId}|${Name}|${!Literal}';
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal Fn::Sub leaves.
    const expected = 'arn:aws:lambda:eu-central-1:000000000000:function:Fn|000000000000|n|${Literal}';
    expect(resolver.resolveString({ 'Fn::Sub': [sub, { Name: 'n' }] }, 'x')).toBe(expected);
    expect(resolver.resolveString({ 'Fn::GetAtt': 'Store.Id' }, 'x')).toBe(resolver.keyValueStoreId('Store'));
  });

  test('resolves Secrets Manager dynamic references from secretValues', () => {
    const reference = {
      'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: 'Secret' }, ':SecretString:k::}}']],
    };
    expect(resolver.resolveString(reference, 'Header')).toBe('v');
  });

  test('derives stable ids, so a template always gets the same distribution id', () => {
    const again = new StackResolver(stackOf(RESOURCES));
    expect(again.distributionId('Dist')).toBe(resolver.distributionId('Dist'));
    expect(resolver.distributionId('Dist')).toMatch(/^E[A-Z0-9]{13}$/);
  });

  test('throws naming the value when something has no local meaning', () => {
    expect(() => resolver.resolveString({ Ref: 'Topic' }, 'Env.TOPIC')).toThrow(
      new CloudFrontEmulationError(
        'Env.TOPIC needs the Ref of Topic (AWS::SNS::Topic), which has no local value in the emulation',
      ),
    );
    expect(() => resolver.resolveString({ Ref: 'Missing' }, 'Env.X')).toThrow(
      'Env.X refers to Missing, which is not in the template',
    );
    expect(() => new StackResolver(stackOf(RESOURCES)).resolveString({ Ref: 'Table' }, 'Env.T')).toThrow(
      'Env.T refers to the table Table: create it locally and name it in tableNames',
    );
    expect(() => resolver.resolve({ 'Fn::If': ['C', 'a', 'b'] }, 'Env.Y')).toThrow(
      /uses Fn::If, which the local emulation cannot evaluate/,
    );
    expect(() => resolver.resolveString('{{resolve:ssm:/param}}', 'Env.Z')).toThrow(
      /\{\{resolve:ssm:\.\.\.\}\} reference/,
    );
  });
});
