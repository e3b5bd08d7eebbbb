import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { fellBack, loadChoice, saveChoice, serverStateAfter, sourceNotice, whereToAsk } from './answerSource';

describe('whereToAsk', () => {
  it('follows an explicit choice whatever the server does', () => {
    for (const server of ['unknown', 'up', 'down', 'absent'] as const) {
      expect(whereToAsk('server', server, true)).toBe('server');
      expect(whereToAsk('device', server, true)).toBe('device');
    }
  });

  it('Auto asks the server unless it is down or absent, and only a device that can answer', () => {
    expect(whereToAsk('auto', 'unknown', true)).toBe('server');
    expect(whereToAsk('auto', 'up', true)).toBe('server');
    expect(whereToAsk('auto', 'down', true)).toBe('device');
    expect(whereToAsk('auto', 'absent', true)).toBe('device');
    expect(whereToAsk('auto', 'down', false)).toBe('server'); // no WebAssembly or workers: keep trying the server
  });
});

describe('serverStateAfter', () => {
  it('reads no answer, or a gateway page, as unreachable', () => {
    expect(serverStateAfter(new ApiError('network', 'Failed to fetch'))).toBe('down');
    expect(serverStateAfter(new ApiError('http_502', 'Bad Gateway', 502))).toBe('down');
    expect(serverStateAfter(new ApiError('http_503', 'Service Unavailable', 503))).toBe('down');
    expect(serverStateAfter(new ApiError('http_504', 'Gateway Timeout', 504))).toBe('down');
  });

  it('reads a plain 404, 405 or 501 (a static host, not this API) as no server', () => {
    expect(serverStateAfter(new ApiError('http_404', 'Not Found', 404))).toBe('absent');
    expect(serverStateAfter(new ApiError('http_405', 'Method Not Allowed', 405))).toBe('absent');
    expect(serverStateAfter(new ApiError('http_501', 'Unsupported method', 501))).toBe('absent');
  });

  it('reads the API’s own errors (a 4xx, its 503 while loading) as a server that is there', () => {
    expect(serverStateAfter(new ApiError('empty_canvas', 'Nothing drawn', 422))).toBe('up');
    expect(serverStateAfter(new ApiError('not_found', 'No such path', 404))).toBe('up');
    expect(serverStateAfter(new ApiError('model_unavailable', 'Loading', 503, 5000))).toBe('up');
  });

  it('says nothing about a slow answer, an answer it cannot read, or an error of the page', () => {
    expect(serverStateAfter(new ApiError('timeout', 'No answer within 20 s'))).toBeNull();
    expect(serverStateAfter(new ApiError('bad_response', 'Garbled'))).toBeNull();
    expect(serverStateAfter(new Error('boom'))).toBeNull();
  });
});

describe('what the person is told', () => {
  it('says why Auto answers on this device, and when the server is back', () => {
    expect(sourceNotice('auto', 'down', false)).toMatch(/Can’t reach the server: answering on this device/);
    expect(sourceNotice('auto', 'absent', false)).toMatch(/No server here: answering on this device/);
    expect(sourceNotice('auto', 'up', true)).toMatch(/server answers again/);
    expect(sourceNotice('auto', 'up', false)).toBeNull();
    expect(sourceNotice('server', 'down', false)).toBeNull(); // the failure itself is shown
    expect(sourceNotice('device', 'down', false)).toBeNull(); // chosen: nothing to explain
    expect(fellBack('auto', 'down')).toBe(true);
    expect(fellBack('device', 'down')).toBe(false);
  });
});

describe('the choice is kept in this browser', () => {
  it('reads back what was saved, Auto for anything else', () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => store.set(k, v),
    };
    expect(loadChoice(storage)).toBe('auto');
    saveChoice('device', storage);
    expect(loadChoice(storage)).toBe('device');
    store.set('digits.source', 'cloud');
    expect(loadChoice(storage)).toBe('auto');
    expect(() =>
      saveChoice('server', {
        setItem: () => {
          throw new DOMException('full', 'QuotaExceededError');
        },
      }),
    ).not.toThrow();
  });
});
