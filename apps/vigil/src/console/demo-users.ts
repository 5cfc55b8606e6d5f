import type { Role } from '@vigil/domain';

export interface DemoUser {
  userId: string;
  name: string;
  role: Role;
  sites: string[];
  /** What the user does in the trial, as the sign-in page says it. */
  works: string;
}

/** The demo's users, one per role (`npm start -- --demo`): tokens for them are minted only in demo mode. */
export const DEMO_USERS: readonly DemoUser[] = [
  { userId: 'demo-safety-officer', name: 'Sam Safety', role: 'safety_officer', sites: [], works: 'reviews and acknowledges alerts across the trial' },
  { userId: 'demo-monitor', name: 'Mia Monitor', role: 'monitor', sites: [], works: "reads every patient's record and audit trail" },
  { userId: 'demo-investigator', name: 'Ines Investigator', role: 'investigator', sites: ['SAT', 'PSL'], works: 'records and reads at sites SAT and PSL' },
  {
    userId: 'demo-data-manager',
    name: 'Dana Manager',
    role: 'data_manager',
    sites: [],
    works: 'corrects data, rebuilds projections, verifies the audit trail',
  },
  { userId: 'demo-admin', name: 'Ada Admin', role: 'admin', sites: [], works: 'may do everything' },
];
