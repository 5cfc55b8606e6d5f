import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet from 'helmet';
import { helmetCalls, helmetOptions } from './security-headers';

const answer = () => {
  const request = new IncomingMessage(new Socket());
  const response = new ServerResponse(request);
  response.setHeader('X-Powered-By', 'a framework');
  return { request, response };
};

describe('The security headers every answer gets', () => {
  it('are the ones helmet sets on a real answer, with the same values, and what it removes removed', () => {
    const live = answer();
    let done = false;
    helmet(helmetOptions)(live.request, live.response, () => (done = true));
    expect(done).toBe(true);

    const replayed = answer();
    for (const call of helmetCalls(helmetOptions)) {
      if (call.value === undefined) replayed.response.removeHeader(call.name);
      else replayed.response.setHeader(call.name, call.value);
    }
    expect(replayed.response.getHeaders()).toEqual(live.response.getHeaders());
    expect(replayed.response.getHeader('x-powered-by')).toBeUndefined();
    expect(replayed.response.getHeader('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('cannot be made from a directive helmet would compute per request', () => {
    const perRequest = { contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'self'", () => "'nonce-abc'"] } } };
    expect(() => helmetCalls(perRequest)).toThrow(/computed per request/);
  });
});
