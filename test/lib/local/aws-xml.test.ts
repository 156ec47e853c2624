import { AwsApiError } from '../../../lib/local/aws-api-error';
import { errorResponseXml, escapeXml } from '../../../lib/local/aws-xml';

describe('escapeXml', () => {
  test('escapes the five XML special characters when a value holds them', () => {
    expect(escapeXml(`<a href="x">Tom & 'Jerry'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;',
    );
  });

  test('leaves text alone when it has nothing to escape', () => {
    expect(escapeXml('plain text: 42')).toBe('plain text: 42');
  });
});

describe('errorResponseXml', () => {
  test('blames the sender when the status is 4xx', () => {
    const xml = errorResponseXml('urn:ns', new AwsApiError(403, 'AccessDenied', 'no <way>'), 'req-1');
    expect(xml).toBe(
      '<ErrorResponse xmlns="urn:ns"><Error><Type>Sender</Type><Code>AccessDenied</Code>' +
        '<Message>no &lt;way&gt;</Message></Error><RequestId>req-1</RequestId></ErrorResponse>',
    );
  });

  test('blames the receiver when the status is 5xx', () => {
    const xml = errorResponseXml('urn:ns', new AwsApiError(503, 'ServiceUnavailable', 'down'), 'req-2');
    expect(xml).toContain('<Type>Receiver</Type><Code>ServiceUnavailable</Code>');
  });
});
