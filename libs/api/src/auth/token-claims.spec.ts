import { actorFromClaims, claimAt, InvalidClaimsError } from './token-claims';

describe('actorFromClaims: where providers put the role and the sites', () => {
  const keycloak = { role: 'realm_access.roles', sites: 'vigil.sites' };

  it("maps Keycloak's realm_access.roles to the one Vigil role it contains, ignoring the provider's own roles", () => {
    const payload = { sub: 'u-7', realm_access: { roles: ['offline_access', 'uma_authorization', 'safety_officer'] }, vigil: { sites: ['SAT'] } };
    expect(actorFromClaims(payload, keycloak)).toEqual({ userId: 'u-7', name: 'u-7', role: 'safety_officer', sites: ['SAT'] });
  });

  it('reads a namespaced claim whose name holds dots as one claim', () => {
    const payload = { sub: 'u-8', 'https://vigil.example.org/role': 'monitor' };
    expect(actorFromClaims(payload, { role: 'https://vigil.example.org/role', sites: 'sites' }).role).toBe('monitor');
  });

  it('refuses a list with two Vigil roles, or none, saying which claim and why', () => {
    expect(() => actorFromClaims({ sub: 'u', roles: ['investigator', 'admin'] }, { role: 'roles', sites: 'sites' })).toThrow(
      new InvalidClaimsError(
        'token roles (roles) include several Vigil roles (investigator, admin): a Vigil user has exactly one; ' +
          "ask the identity provider's administrator to keep one",
      ),
    );
    expect(() => actorFromClaims({ sub: 'u', roles: ['offline_access'] }, { role: 'roles', sites: 'sites' })).toThrow(/include no Vigil role/);
    expect(() => actorFromClaims({ sub: 'u', realm_access: {} }, keycloak)).toThrow('token has no role claim (realm_access.roles)');
  });

  it('keeps the plain `role` and `sites` claims by default', () => {
    expect(actorFromClaims({ sub: 'u', role: 'investigator', sites: ['SAT', 'SAT'] })).toMatchObject({ role: 'investigator', sites: ['SAT'] });
  });

  it('walks a dot path only through objects, never into strings or inherited properties', () => {
    expect(claimAt({ a: 'text' }, 'a.length')).toBeUndefined();
    expect(claimAt({ a: {} }, 'a.constructor')).toBeUndefined();
    expect(claimAt({ a: { b: ['x'] } }, 'a.b')).toEqual(['x']);
  });
});
