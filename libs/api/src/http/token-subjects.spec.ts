import type { FastifyRequest } from 'fastify';
import { TokenSubjects } from './token-subjects';

const token = (payload: object) => `Bearer h.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.s`;
const request = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as unknown as FastifyRequest;

describe('The subject a request is rate limited under', () => {
  it("is the token's sub, read again for another token with the same client", () => {
    const subjects = new TokenSubjects();
    expect(subjects.of(request(token({ sub: 'dm1' })))).toBe('dm1');
    expect(subjects.of(request(token({ sub: 'dm1' })))).toBe('dm1');
    expect(subjects.of(request(token({ sub: 'inv1' })))).toBe('inv1');
    expect(subjects.of(request(token({ sub: 'dm1', exp: 2 })))).toBe('dm1');
  });

  it('is none without a bearer token, or with one whose payload has no usable sub', () => {
    const subjects = new TokenSubjects();
    expect(subjects.of(request())).toBeNull();
    expect(subjects.of(request('Basic ZG0xOnNlY3JldA=='))).toBeNull();
    expect(subjects.of(request('Bearer not-a-jwt'))).toBeNull();
    expect(subjects.of(request(token({ sub: 7 })))).toBeNull();
    expect(subjects.of(request(token({ sub: 'x'.repeat(257) })))).toBeNull();
  });

  it('stays right past the number of tokens it keeps', () => {
    const subjects = new TokenSubjects();
    for (let i = 0; i < 2_500; i++) expect(subjects.of(request(token({ sub: `user-${i % 1_200}` })))).toBe(`user-${i % 1_200}`);
  });

  it('reads the subject of a header too long to keep, each time', () => {
    const subjects = new TokenSubjects();
    const long = `${token({ sub: 'dm1' })}${'x'.repeat(10_000)}`;
    expect(subjects.of(request(long))).toBe('dm1');
    expect(subjects.of(request(long))).toBe('dm1');
  });
});
