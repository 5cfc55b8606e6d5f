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

  it('gives 1 MIU subcutaneously, 5 induction doses, then every 15 days for 6 months', () => {
    expect(TRANSREG.treatment).toMatchObject({
      dose: 1,
      doseUnit: 'MIU',
      route: 'SC',
      induction: { doses: 5 },
      maintenance: { intervalDays: 15, durationMonths: 6 },
    });
  });

  it('gives lupus patients maintenance every 7 days and everyone else every 15', () => {
    expect(maintenanceIntervalDays(TRANSREG, 'SLE')).toBe(7);
    expect(maintenanceIntervalDays(TRANSREG, 'RA')).toBe(15);
    expect(maintenanceIntervalDays(TRANSREG, 'GPA')).toBe(15);
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
