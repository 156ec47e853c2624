import {
  MalformedIntegrationResponseError,
  PreludeSplitter,
  parsePrelude,
} from '../../../lib/local/function-url';

const PRELUDE = { statusCode: 201, headers: { 'content-type': 'text/plain' }, cookies: ['a=1'] };

function wire(body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(JSON.stringify(PRELUDE)), Buffer.alloc(8), body]);
}

describe('PreludeSplitter', () => {
  test('splits prelude and body at every possible chunk boundary', () => {
    // The body starts with NUL bytes: the delimiter is still the first run of 8.
    const body = Buffer.concat([Buffer.alloc(3), Buffer.from('hello world')]);
    const bytes = wire(body);
    for (let size = 1; size <= bytes.length; size++) {
      const splitter = new PreludeSplitter();
      const out: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += size) out.push(splitter.push(bytes.subarray(at, at + size)));
      expect(splitter.prelude).toEqual(PRELUDE);
      expect(Buffer.concat(out)).toEqual(body);
    }
  });

  test('returns no body until the delimiter has arrived', () => {
    const splitter = new PreludeSplitter();
    expect(splitter.push(Buffer.from('{"statusCode":200}\0\0\0')).length).toBe(0);
    expect(splitter.prelude).toBeUndefined();
    expect(splitter.hasPendingBytes).toBe(true);
    expect(splitter.push(Buffer.from('\0\0\0\0\0body')).toString()).toBe('body');
    expect(splitter.push(Buffer.from('more')).toString()).toBe('more');
  });

  test('throws when no delimiter comes within the size limit', () => {
    const splitter = new PreludeSplitter();
    expect(() => splitter.push(Buffer.alloc(1024 * 1024 + 1, 'a'))).toThrow(
      MalformedIntegrationResponseError,
    );
  });
});

describe('parsePrelude', () => {
  test('defaults status 200, no headers and no cookies when the prelude is an empty object', () => {
    expect(parsePrelude('{}')).toEqual({ statusCode: 200, headers: {}, cookies: [] });
  });

  test('turns header values into strings and drops null ones', () => {
    expect(parsePrelude('{"headers":{"x-n":1,"x-b":true,"x-null":null}}').headers).toEqual({
      'x-n': '1',
      'x-b': 'true',
    });
  });

  test.each([
    ['not json', /not valid JSON/],
    ['[1]', /must be a JSON object/],
    ['{"statusCode":"200"}', /statusCode must be an integer from 100 to 599, got "200"/],
    ['{"statusCode":99}', /statusCode must be an integer from 100 to 599, got 99/],
    ['{"headers":[]}', /headers must be an object, got \[\]/],
    ['{"cookies":"a=1"}', /cookies must be an array of strings, got "a=1"/],
  ])('throws a MalformedIntegrationResponseError when given %s', (json, message) => {
    expect(() => parsePrelude(json)).toThrow(MalformedIntegrationResponseError);
    expect(() => parsePrelude(json)).toThrow(message);
  });
});
