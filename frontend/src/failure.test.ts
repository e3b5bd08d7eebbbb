import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { BACKOFF_MAX_MS, MESSAGES, describeFailure, retryDelay } from './failure';

describe('describeFailure', () => {
  // What each kind of failure should come to: [kind, retry, message].
  const restarting = ['busy', true, /restarting/] as const;
  const unreadable = ['unreadable', false, /PNG/] as const;
  const tooLarge = ['too_large', false, /too large/] as const;
  it.each([
    ['no answer at all', new ApiError('network', 'Failed to fetch'), 'unreachable', true, /reach the recognizer/],
    ['a timeout', new ApiError('timeout', 'No answer within 20 s.'), 'timeout', true, /too long/],
    ['a bare 502 from a proxy', new ApiError('http_502', 'The server answered 502 Bad Gateway', 502), ...restarting],
    ['a bare 503', new ApiError('http_503', 'The server answered 503', 503), ...restarting],
    ['a bare 504', new ApiError('http_504', 'The server answered 504 Gateway Timeout', 504), ...restarting],
    ['429', new ApiError('http_429', 'The server answered 429 Too Many Requests', 429), 'busy', true, /busy/],
    [
      '500',
      new ApiError('internal_error', 'Something went wrong; the error was logged.', 500),
      'server',
      true,
      /problem/,
    ],
    [
      'an unreadable picture',
      new ApiError('invalid_image', 'The image data is truncated (OSError)', 400),
      ...unreadable,
    ],
    ['415', new ApiError('unsupported_media_type', 'Send JSON or multipart/form-data.', 415), ...unreadable],
    ['a huge picture', new ApiError('image_too_large', 'The image is too large: 9000x9000', 413), ...tooLarge],
    ['a huge body', new ApiError('request_too_large', 'larger than 2,097,152 bytes.', 413), ...tooLarge],
    [
      'other 4xx',
      new ApiError('missing_image', 'Send JSON like {"image": ...}', 400),
      'rejected',
      false,
      /could not use/,
    ],
    ['an answer it cannot read', new ApiError('bad_response', 'x'), 'server', false, /reloading/i],
    ['a bug in the page', new TypeError('x is undefined'), 'app', false, /this page/],
  ])('words %s plainly, with no status line', (_name, error, kind, retry, message) => {
    const failure = describeFailure(error);
    expect(failure.kind).toBe(kind);
    expect(failure.retry).toBe(retry);
    expect(failure.message).toMatch(message);
    expect(failure.message).not.toMatch(/\b[45]\d\d\b|Bad Gateway|Gateway Timeout|Too Many|answered|JSON|multipart/);
  });

  it("shows the server's own message when it is written for a person (the model is loading)", () => {
    const failure = describeFailure(new ApiError('model_unavailable', 'The model is still loading.', 503, 5000));
    expect(failure).toEqual({ kind: 'busy', message: 'The model is still loading.', retry: true, retryAfterMs: 5000 });
  });

  it('keeps the Retry-After of busy answers', () => {
    expect(describeFailure(new ApiError('http_429', '', 429, 7000)).retryAfterMs).toBe(7000);
    expect(describeFailure(new ApiError('http_503', '', 503, 2000)).retryAfterMs).toBe(2000);
    expect(describeFailure(new ApiError('network', '')).retryAfterMs).toBeUndefined();
  });

  it('turns down a file that is not a picture before sending it', () => {
    expect(describeFailure(new ApiError('not_a_picture', 'text/plain'))).toEqual({
      kind: 'unreadable',
      message: MESSAGES.notAPicture,
      retry: false,
    });
  });
});

describe('retryDelay', () => {
  it('backs off exponentially from 2 s up to 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((n) => retryDelay(n))).toEqual([
      2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000,
    ]);
    expect(retryDelay(1000)).toBe(BACKOFF_MAX_MS);
  });

  it('never retries sooner than Retry-After', () => {
    expect(retryDelay(0, 5000)).toBe(5000);
    expect(retryDelay(3, 5000)).toBe(16000);
    expect(retryDelay(0, 120_000)).toBe(120_000);
  });
});
