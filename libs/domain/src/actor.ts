/** Roles of Vigil's users (issue 4): what each may do is decided in one permission matrix at the API edge. */
export type Role = 'investigator' | 'safety_officer' | 'monitor' | 'data_manager' | 'admin';

export const ROLES: readonly Role[] = ['investigator', 'safety_officer', 'monitor', 'data_manager', 'admin'];

/** Who acts: taken from a verified token, never from a request body. */
export interface Actor {
  userId: string;
  name: string;
  role: Role;
  /** Site ids the user works at (investigators see only these). */
  sites: string[];
}
