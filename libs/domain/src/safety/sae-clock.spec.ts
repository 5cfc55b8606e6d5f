import { saeReportingDeadline, susarReportingDeadline } from './sae-clock';

describe('SAE 24-hour clock, docs/safety-rules.md §5', () => {
  it('gives a serious adverse event a deadline 24 hours after the investigator knew it', () => {
    expect(saeReportingDeadline({ serious: true }, '2024-03-01T10:15:00Z')).toEqual({
      ruleId: 'SAE-24H',
      deadline: '2024-03-02T10:15:00.000Z',
      knownAt: '2024-03-01T10:15:00.000Z',
      hours: 24,
    });
  });

  it('counts from when it was known, with its offset, in UTC', () => {
    expect(saeReportingDeadline({ serious: true }, '2024-03-01T10:15:00+02:00')?.deadline).toBe('2024-03-02T08:15:00.000Z');
  });

  it('gives no clock to a non-serious adverse event, whatever its grade', () => {
    expect(saeReportingDeadline({ serious: false }, '2024-03-01T10:15:00Z')).toBeNull();
  });
});

describe('SUSAR clocks, docs/safety-rules.md §5', () => {
  const susar = { serious: true, seriousnessCriteria: ['hospitalisation' as const], relatedness: 'probable' as const, grade: 3 };

  it('gives an unexpected suspected serious reaction 15 calendar days, Day 0 being the day of knowledge', () => {
    expect(susarReportingDeadline(susar, '2024-03-01T23:30:00Z', true)).toEqual({
      ruleId: 'SUSAR-15D',
      deadline: '2024-03-16T23:59:59.999Z',
      firstKnownAt: '2024-03-01T23:30:00.000Z',
    });
  });

  it('gives a fatal or life-threatening one 7 days, with a follow-up 8 days later', () => {
    expect(susarReportingDeadline({ ...susar, seriousnessCriteria: ['life-threatening'] }, '2024-03-01T08:00:00Z', true)).toMatchObject({
      ruleId: 'SUSAR-7D',
      deadline: '2024-03-08T23:59:59.999Z',
      followUpDeadline: '2024-03-16T23:59:59.999Z',
    });
    expect(susarReportingDeadline({ ...susar, seriousnessCriteria: ['death'], grade: 5 }, '2024-03-01T08:00:00Z', true)?.ruleId).toBe('SUSAR-7D');
  });

  it('is no SUSAR when expected, not suspected, or not serious', () => {
    expect(susarReportingDeadline(susar, '2024-03-01T08:00:00Z', false)).toBeNull();
    expect(susarReportingDeadline({ ...susar, relatedness: 'unlikely' }, '2024-03-01T08:00:00Z', true)).toBeNull();
    expect(susarReportingDeadline({ ...susar, serious: false, seriousnessCriteria: [] }, '2024-03-01T08:00:00Z', true)).toBeNull();
  });
});
