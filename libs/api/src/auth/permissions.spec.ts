import { ROLES } from '@vigil/domain';
import { permissionMatrixMarkdown } from './permission-matrix-markdown';
import { Permission, permissionFor, PERMISSIONS, SITE_BOUND_ROLES } from './permissions';

const entries = Object.entries(PERMISSIONS) as [string, Permission][];
const allowed = (permission: Permission) => (permission.roles === 'public' ? [] : permission.roles);

describe('the permission matrix', () => {
  it('leaves monitors reading only: no write route allows them', () => {
    const writes = entries.filter(([route]) => !route.startsWith('GET '));
    expect(writes.length).toBeGreaterThan(0);
    for (const [route, permission] of writes) expect([route, allowed(permission).includes('monitor')]).toEqual([route, false]);
  });

  it('gives no route that concerns every site to a role bound to its sites', () => {
    for (const [route, permission] of entries.filter(([, p]) => p.site === 'global')) {
      for (const role of SITE_BOUND_ROLES) expect([route, allowed(permission).includes(role)]).toEqual([route, false]);
    }
  });

  it('lets admins do everything a data manager may', () => {
    for (const [route, permission] of entries) {
      if (allowed(permission).includes('data_manager')) expect([route, allowed(permission).includes('admin')]).toEqual([route, true]);
    }
  });

  it('keeps /health and its probes, /metrics, the checkpoint public key and the console (its page, files and sign-in) as the only public routes', () => {
    expect(entries.filter(([, p]) => p.roles === 'public').map(([route]) => route)).toEqual([
      'GET /health',
      'GET /health/live',
      'GET /health/ready',
      'GET /metrics',
      'GET /',
      'GET /console/*',
      'GET /console/config',
      'POST /console/demo-sign-in',
      'GET /audit/public-key',
    ]);
  });

  it('answers HEAD with the GET permission, and nothing for a route it does not list', () => {
    expect(permissionFor('HEAD', '/patients/:patientId')).toBe(PERMISSIONS['GET /patients/:patientId']);
    expect(permissionFor('DELETE', '/patients/:patientId')).toBeUndefined();
    expect(permissionFor('GET', '/constructor')).toBeUndefined();
  });

  it('prints as a Markdown table with one row per route and one column per role', () => {
    const markdown = permissionMatrixMarkdown();
    const rows = markdown.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows).toHaveLength(entries.length);
    expect(markdown.split('\n')[0]).toBe(`| Route | What | Site | ${ROLES.map((r) => `\`${r}\``).join(' | ')} |`);
    expect(markdown).toContain("| `POST /patients/:patientId/lab-results` | record a lab result | the patient's site | own sites | — | — | — | ✓ |");
  });
});
