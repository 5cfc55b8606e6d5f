import { TRANSREG } from './transreg';
import { findDisease, findSite, maintenanceIntervalDays } from './trial-protocol';

describe('TRANSREG protocol', () => {
  it('lists the 14 diseases of docs/protocol.md, each code once', () => {
    const codes = TRANSREG.diseases.map((d) => d.code);
    expect(codes).toHaveLength(14);
    expect(new Set(codes).size).toBe(14);
    expect(codes).toEqual(['RA', 'AS', 'SLE', 'PSO', 'BD', 'GPA', 'TAK', 'CD', 'UC', 'AIH', 'SC', 'SS', 'ITP', 'SSC']);
  });

  it('has the six French sites under stable ids', () => {
    expect(TRANSREG.sites.map((s) => s.id)).toEqual(['SAT', 'PSL', 'COC', 'PBR', 'HMN', 'HEGP']);
  });

  it('gives 1 MIU subcutaneously, 5 daily induction doses, then maintenance on a fixed grid from Day 15 to Day 183', () => {
    expect(TRANSREG.treatment).toMatchObject({
      dose: 1,
      doseUnit: 'MIU',
      route: 'SC',
      induction: { days: 5 },
      maintenance: { firstDay: 15, intervalDays: 14, lastDay: 183 },
    });
  });

  it('gives lupus patients maintenance every 7 days and everyone else fortnightly ("tous les 15 jours")', () => {
    expect(maintenanceIntervalDays(TRANSREG, 'SLE')).toBe(7);
    expect(maintenanceIntervalDays(TRANSREG, 'RA')).toBe(14);
    expect(maintenanceIntervalDays(TRANSREG, 'GPA')).toBe(14);
  });

  it('puts the visit days 15, 29, 85 and 183 on the maintenance grid of every disease', () => {
    const { firstDay, lastDay } = TRANSREG.treatment.maintenance;
    for (const disease of ['RA', 'SLE'] as const) {
      const interval = maintenanceIntervalDays(TRANSREG, disease);
      for (const day of [15, 29, 85, 183]) expect((day - firstDay) % interval).toBe(0);
      expect((lastDay - firstDay) % interval).toBe(0);
    }
  });

  it('measures on study days 0, 1, 8, 15, 29, 85, 183, 240, 360 and 540 with a ±2 day maintenance window', () => {
    expect(TRANSREG.visitStudyDays).toEqual([0, 1, 8, 15, 29, 85, 183, 240, 360, 540]);
    expect(TRANSREG.maintenanceWindowDays).toBe(2);
  });

  it('finds a disease and a site by code, and nothing for an unknown code', () => {
    expect(findDisease(TRANSREG, 'AIH')?.name).toBe('autoimmune hepatitis');
    expect(findDisease(TRANSREG, 'MS')).toBeUndefined();
    expect(findDisease(TRANSREG, 'sle')).toBeUndefined();
    expect(findSite(TRANSREG, 'PBR')?.city).toBe('Villejuif');
    expect(findSite(TRANSREG, 'XYZ')).toBeUndefined();
  });
});
