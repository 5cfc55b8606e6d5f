import { ROLES } from '@vigil/domain';
import { Permission, PERMISSIONS, SITE_BOUND_ROLES, SiteScoping } from './permissions';

const scopingWords: Record<SiteScoping, string> = {
  patient: "the patient's site",
  alert: "the alert's patient's site",
  body: 'the `siteId` sent',
  list: "filtered to the user's sites",
  global: '—',
  trial: 'none: the same for every site',
  self: "none: the caller's own identity",
};

/** The permission matrix as a Markdown table, for the README and `npm run vigil -- permissions`. */
export function permissionMatrixMarkdown(): string {
  const publicRoutes = Object.entries(PERMISSIONS)
    .filter(([, permission]) => permission.roles === 'public')
    .map(([route]) => `\`${route}\``);
  const header = ['Route', 'What', 'Site', ...ROLES.map((role) => `\`${role}\``)];
  const rows = Object.entries(PERMISSIONS).map(([route, permission]) => [
    `\`${route}\``,
    permission.does,
    scopingWords[permission.site],
    ...ROLES.map((role) => cell(role, permission)),
  ]);
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [
    line(header),
    line(header.map(() => '---')),
    ...rows.map(line),
    '',
    '✓ allowed; "own sites" allowed only for records of the sites in the user\'s token; — refused (403).',
    'Any route not in this table is refused for everyone. No token is needed for the public routes, ' +
      `${publicRoutes.join(', ')}, nor for the API's documentation under \`/docs\`; every other route needs \`Authorization: Bearer <JWT>\`.`,
    '',
  ].join('\n');
}

function cell(role: (typeof ROLES)[number], permission: Permission): string {
  if (permission.roles === 'public') return 'public';
  if (!permission.roles.includes(role)) return '—';
  return SITE_BOUND_ROLES.includes(role) && !['global', 'trial', 'self'].includes(permission.site) ? 'own sites' : '✓';
}
