import { rolesFrom, serverArgs } from './roles';

describe('rolesFrom', () => {
  it('runs every role by default, as the embedded Vigil always did', () => {
    expect(rolesFrom({})).toEqual(['api', 'projector', 'notifier']);
  });

  it('takes the roles from VIGIL_ROLES, and --roles over it', () => {
    expect(rolesFrom({ VIGIL_ROLES: 'notifier, api' })).toEqual(['api', 'notifier']);
    expect(rolesFrom({ VIGIL_ROLES: 'api' }, ['--roles', 'projector'])).toEqual(['projector']);
    expect(rolesFrom({}, ['--demo', '--roles=api,projector'])).toEqual(['api', 'projector']);
  });

  it('refuses a role it does not know, naming where it came from', () => {
    expect(() => rolesFrom({ VIGIL_ROLES: 'api,worker' })).toThrow('VIGIL_ROLES=api,worker: "worker" is not one of api, projector, notifier');
    expect(() => rolesFrom({}, ['--roles'])).toThrow(/--roles needs a list/);
  });

  it('refuses an option the server does not take, instead of ignoring it', () => {
    expect(() => serverArgs(['--demo', '--role', 'api'])).toThrow(/unknown option '--role'/);
    expect(serverArgs(['--demo'])).toEqual({ demo: true });
  });
});
