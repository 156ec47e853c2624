import { experimental_upgradeWebSocket as upstreamUpgrade } from '@vercel/functions';
import { VercelFunctionsAwsError, WebSocketUnsupportedError } from '../../../runtime/errors';
import { experimental_upgradeWebSocket } from '../../../runtime/websocket';

describe('experimental_upgradeWebSocket', () => {
  test('rejects with a typed error pointing to API Gateway WebSocket APIs', async () => {
    const handler = jest.fn();
    const error = await experimental_upgradeWebSocket(handler).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebSocketUnsupportedError);
    expect(error).toBeInstanceOf(VercelFunctionsAwsError);
    expect((error as Error).name).toBe('WebSocketUnsupportedError');
    expect((error as Error).message).toContain('Lambda Function URLs do not support WebSockets');
    expect((error as Error).message).toContain('API Gateway WebSocket API');
    expect(handler).not.toHaveBeenCalled();
  });

  test('starts with upstream message when code matches on it', async () => {
    const message = (e: unknown) => (e as Error).message;
    const upstreamMessage = message(await upstreamUpgrade(() => {}).catch((e: unknown) => e));
    const ours = message(await experimental_upgradeWebSocket(() => {}, { maxPayload: 1024 }).catch((e) => e));
    expect(upstreamMessage).toContain('not available in the current runtime environment');
    expect(ours.startsWith(upstreamMessage)).toBe(true);
  });

  test('returns a promise instead of throwing synchronously', () => {
    const result = experimental_upgradeWebSocket(() => {});
    expect(result).toBeInstanceOf(Promise);
    return expect(result).rejects.toThrow(WebSocketUnsupportedError);
  });
});
