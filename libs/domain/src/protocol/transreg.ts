import type { TrialProtocol } from './trial-protocol';

/** TRANSREG, low-dose IL-2 in 14 autoimmune diseases: every value below is from docs/protocol.md. */
export const TRANSREG: TrialProtocol = {
  id: 'TRANSREG',
  title: 'Low-dose interleukin-2 in 14 autoimmune and inflammatory diseases',
  registry: { clinicalTrialsGov: 'NCT01988506', eudraCT: '2013-001232-22', sponsorStudyId: 'P130101' },
  // docs/protocol.md "The 14 diseases"
  diseases: [
    { code: 'RA', name: 'rheumatoid arthritis' },
    { code: 'AS', name: 'ankylosing spondylitis' },
    { code: 'SLE', name: 'systemic lupus erythematosus' },
    { code: 'PSO', name: 'psoriasis' },
    { code: 'BD', name: "Behçet's disease" },
    { code: 'GPA', name: "granulomatosis with polyangiitis (Wegener's granulomatosis)" },
    { code: 'TAK', name: "Takayasu's arteritis" },
    { code: 'CD', name: "Crohn's disease" },
    { code: 'UC', name: 'ulcerative colitis' },
    { code: 'AIH', name: 'autoimmune hepatitis' },
    { code: 'SC', name: 'sclerosing cholangitis' },
    { code: 'SS', name: "Sjögren's syndrome (Gougerot-Sjögren)" },
    { code: 'ITP', name: 'idiopathic thrombocytopenic purpura' },
    { code: 'SSC', name: 'systemic sclerosis' },
  ],
  // docs/protocol.md "Sites (France)"
  sites: [
    { id: 'SAT', name: 'Hôpital Saint-Antoine', city: 'Paris', postcode: '75012' },
    { id: 'PSL', name: 'Hôpital Pitié-Salpêtrière', city: 'Paris', postcode: '75013' },
    { id: 'COC', name: 'Hôpital Cochin', city: 'Paris', postcode: '75014' },
    { id: 'PBR', name: 'Hôpital Paul Brousse', city: 'Villejuif', postcode: '94800' },
    { id: 'HMN', name: 'Hôpital Henri Mondor', city: 'Créteil', postcode: '94010' },
    { id: 'HEGP', name: 'Hôpital Européen Georges-Pompidou', city: 'Paris', postcode: '75015' },
  ],
  minimumAgeYears: 18,
  // docs/protocol.md "Treatment: one drug, one arm"
  treatment: {
    drug: 'aldesleukin (recombinant human interleukin-2)',
    dose: 1,
    doseUnit: 'MIU',
    route: 'SC',
    // "Every 15 days" is the French "tous les 15 jours", fortnightly: Day 15, 29, 43, … up to the Day 183 visit (6 months).
    induction: { days: 5 },
    maintenance: { firstDay: 15, intervalDays: 14, intervalDaysByDisease: { SLE: 7 }, lastDay: 183 },
  },
  // docs/protocol.md "Visits and measures"
  visitStudyDays: [0, 1, 8, 15, 29, 85, 183, 240, 360, 540],
  maintenanceWindowDays: 2,
};
