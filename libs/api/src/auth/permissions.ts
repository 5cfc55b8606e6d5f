import type { Role } from '@vigil/domain';

/**
 * How a route's records are tied to a site, for the roles that work at some sites only:
 * - `patient`: the `:patientId` in the path → the site the patient was enrolled at;
 * - `alert`: the `:alertId` in the path → the site of the alert's patient;
 * - `body`: the `siteId` of the request body (enrolment);
 * - `list`: a list endpoint: answered, but filtered to the user's sites (`request.siteScope`);
 * - `global`: about no one site (configuration, audit of the whole store): only roles that see
 *   every site may be allowed;
 * - `trial`: about the trial, no patient's record at all (the rule catalogue): the same for every site;
 * - `self`: about the caller only (who the token says they are): the same for every site.
 */
export type SiteScoping = 'patient' | 'alert' | 'body' | 'list' | 'global' | 'trial' | 'self';

export interface Permission {
  /** Who may call the route; `public` needs no token at all. */
  roles: readonly Role[] | 'public';
  site: SiteScoping;
  /** What the route does, in the matrix printed for the README. */
  does: string;
}

/** `METHOD /route/template`, the template as the router knows it (`/patients/:patientId/doses`). */
export type RouteKey = `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} /${string}`;

/** Roles limited to the sites in their token: investigators (everyone else works across the trial). */
export const SITE_BOUND_ROLES: readonly Role[] = ['investigator'];

// Who is who (issue "Audit trail, identity and access"): investigators record and read at their own
// sites; safety officers read everything and acknowledge alerts; monitors read everything, audit and
// replay included, and write nothing; data managers read everything, correct and rebuild; admins may
// do everything (configuration, and all a data manager may). Investigators may also correct or void
// their own sites' entries within VIGIL_CORRECTION_WINDOW_HOURS of recording them.
const READERS: readonly Role[] = ['investigator', 'safety_officer', 'monitor', 'data_manager', 'admin'];
const TRIAL_WIDE_READERS: readonly Role[] = ['safety_officer', 'monitor', 'data_manager', 'admin'];
const RECORDERS: readonly Role[] = ['investigator', 'admin'];
// Investigators correct their own sites' entries only until the entry locks (auth/correction-lock.ts).
const CORRECTORS: readonly Role[] = ['investigator', 'data_manager', 'admin'];
const REBUILDERS: readonly Role[] = ['data_manager', 'admin'];
const ACKNOWLEDGERS: readonly Role[] = ['safety_officer', 'admin'];
const AUDITORS: readonly Role[] = ['monitor', 'data_manager', 'admin'];
/** Who takes the trial's data elsewhere: the statistician's SDTM, a hospital's FHIR (docs/interchange.md). */
const INTERCHANGE: readonly Role[] = ['monitor', 'data_manager', 'admin'];
/** Who records what the site knows of a patient's course: the report to the sponsor, the treatment status. */
const SITE_REPORTERS: readonly Role[] = ['investigator', 'data_manager', 'admin'];
/** The sponsor's safety judgement: assessments of adverse events, reports to the regulator. */
const SPONSOR_SAFETY: readonly Role[] = ['safety_officer', 'admin'];

/** `what` with its article: "a lab result", "an adverse event". */
function corrections(record: 'lab-results' | 'doses' | 'adverse-events', what: string): Record<RouteKey, Permission> {
  const correct: RouteKey = `POST /patients/:patientId/${record}/:eventId/corrections`;
  const voidIt: RouteKey = `POST /patients/:patientId/${record}/:eventId/void`;
  return {
    [correct]: { roles: CORRECTORS, site: 'patient', does: `correct ${what} (old value, new value, reason)` },
    [voidIt]: { roles: CORRECTORS, site: 'patient', does: `mark ${what} entered in error` },
  } as Record<RouteKey, Permission>;
}

/**
 * THE permission matrix: every HTTP route Vigil serves, who may call it and how its site is found.
 * One global guard enforces it; a route missing here is refused (403) for everyone.
 */
export const PERMISSIONS: Readonly<Record<RouteKey, Permission>> = {
  'GET /health': { roles: 'public', site: 'global', does: 'liveness and event store head' },
  // Probes and scrapes carry no token: who may reach them is the network's business (README, "Operating Vigil").
  'GET /health/live': { roles: 'public', site: 'global', does: 'liveness probe: the process answers' },
  'GET /health/ready': { roles: 'public', site: 'global', does: 'readiness probe: the store answers and the read models are near its head' },
  'GET /metrics': { roles: 'public', site: 'global', does: 'Prometheus metrics of this process' },
  'GET /rules': { roles: READERS, site: 'trial', does: 'the rule catalogue: every rule an alert may carry' },
  'GET /me': { roles: READERS, site: 'self', does: 'who the token names: user, role and sites, as Vigil reads them' },
  'GET /': { roles: 'public', site: 'global', does: "the console's page" },
  'GET /console/*': { roles: 'public', site: 'global', does: "the console's files" },
  'GET /console/config': { roles: 'public', site: 'global', does: 'how the console signs in' },
  'POST /console/demo-sign-in': { roles: 'public', site: 'global', does: 'sign in as a demo user (only with --demo)' },

  'POST /patients': { roles: RECORDERS, site: 'body', does: 'enrol a patient' },
  'GET /patients': { roles: READERS, site: 'list', does: 'list patients' },
  'GET /patients/:patientId': { roles: READERS, site: 'patient', does: "a patient's current state" },
  'GET /patients/:patientId/events': { roles: READERS, site: 'patient', does: "a patient's raw event stream" },
  'POST /patients/:patientId/doses': { roles: RECORDERS, site: 'patient', does: 'record a dose' },
  'POST /patients/:patientId/lab-results': { roles: RECORDERS, site: 'patient', does: 'record a lab result' },
  'POST /patients/:patientId/adverse-events': { roles: RECORDERS, site: 'patient', does: 'report an adverse event' },
  ...corrections('lab-results', 'a lab result'),
  ...corrections('doses', 'a dose'),
  ...corrections('adverse-events', 'an adverse event'),
  'POST /patients/:patientId/adverse-events/:eventId/sponsor-reports': {
    roles: SITE_REPORTERS,
    site: 'patient',
    does: 'record the report of a serious adverse event to the sponsor (closes its 24-hour clock)',
  },
  'POST /patients/:patientId/adverse-events/:eventId/assessments': {
    roles: SPONSOR_SAFETY,
    site: 'patient',
    does: "record the sponsor's assessment of an adverse event (expectedness, causality)",
  },
  'POST /patients/:patientId/adverse-events/:eventId/regulatory-reports': {
    roles: SPONSOR_SAFETY,
    site: 'patient',
    does: 'record the report of a SUSAR to the regulator (closes its clock)',
  },
  'POST /patients/:patientId/treatment-status': { roles: SITE_REPORTERS, site: 'patient', does: "change a patient's treatment status" },

  'GET /patients/:patientId/safety': { roles: READERS, site: 'patient', does: "a patient's safety summary" },
  'GET /patients/:patientId/history': { roles: READERS, site: 'patient', does: "a patient's audit trail (recorded as an access)" },
  'GET /patients/:patientId/history/export': { roles: READERS, site: 'patient', does: "export a patient's audit trail, CSV or JSON (recorded as an access)" },
  'GET /patients/:patientId/state': { roles: READERS, site: 'patient', does: "replay a patient's state at a time or version (recorded as an access)" },
  'GET /patients/:patientId/access-log': { roles: AUDITORS, site: 'patient', does: "who viewed a patient's record, and when" },

  'GET /alerts': { roles: READERS, site: 'list', does: 'list alerts' },
  'GET /alerts/stream': { roles: READERS, site: 'list', does: 'follow alert events as they happen (server-sent events)' },
  'GET /alerts/:alertId': { roles: READERS, site: 'alert', does: 'one alert' },
  'POST /alerts/:alertId/acknowledge': { roles: ACKNOWLEDGERS, site: 'alert', does: 'acknowledge an alert' },

  'GET /projections': { roles: TRIAL_WIDE_READERS, site: 'global', does: 'read models and their progress' },
  'GET /projections/:name': { roles: TRIAL_WIDE_READERS, site: 'global', does: 'one read model and its progress' },
  'POST /projections/:name/rebuild': { roles: REBUILDERS, site: 'global', does: 'rebuild a read model from the event log' },

  'GET /reports/safety': { roles: TRIAL_WIDE_READERS, site: 'global', does: 'the trial safety report (DSMB tables), JSON or printable HTML, as of a moment' },
  'GET /exports/sdtm/:domain': { roles: INTERCHANGE, site: 'global', does: 'a CDISC SDTM dataset (DM, EX, LB, AE), Dataset-JSON 1.1 or CSV, as of a moment' },
  'GET /fhir/Patient/:patientId/$everything': { roles: INTERCHANGE, site: 'patient', does: "a patient's record as a FHIR R4 Bundle (recorded as an access)" },

  'GET /audit/verify': { roles: AUDITORS, site: 'global', does: 'verify the hash chains and signed checkpoints of the whole event store' },
  'GET /audit/checkpoints': { roles: TRIAL_WIDE_READERS, site: 'global', does: 'the signed checkpoints over the event log' },
  // Public like a certificate: anyone checking an export or a checkpoint needs it, and it proves nothing about who asks.
  'GET /audit/public-key': { roles: 'public', site: 'global', does: 'the public key that signs checkpoints' },
};

export function routeKey(method: string, template: string): string {
  // Fastify answers HEAD with the GET route: the same permission applies.
  return `${method === 'HEAD' ? 'GET' : method.toUpperCase()} ${template}`;
}

/** The permission of a route, or undefined when the matrix does not know it (which means: refused). */
export function permissionFor(method: string, template: string): Permission | undefined {
  const key = routeKey(method, template);
  return Object.prototype.hasOwnProperty.call(PERMISSIONS, key) ? PERMISSIONS[key as RouteKey] : undefined;
}

/** Whether a role may call a route at all (before any site check). */
export function roleMay(role: Role, permission: Permission): boolean {
  return permission.roles === 'public' || permission.roles.includes(role);
}
