import { isOverdue } from './escalation';

describe('isOverdue (docs/safety-rules.md §5: a reporting clock past its deadline)', () => {
  const deadline = '2026-03-02T12:00:00.000Z';
  const at = (iso: string) => new Date(iso);

  it('is true once the deadline has passed, while the clock runs, acknowledged or not', () => {
    expect(isOverdue({ status: 'open', deadline }, at('2026-03-02T12:00:00.001Z'))).toBe(true);
    expect(isOverdue({ status: 'acknowledged', deadline }, at('2026-03-03T00:00:00Z'))).toBe(true);
  });

  it('is false up to the deadline itself', () => {
    expect(isOverdue({ status: 'open', deadline }, at('2026-03-02T11:59:59Z'))).toBe(false);
    expect(isOverdue({ status: 'open', deadline }, at(deadline))).toBe(false);
  });

  it('is false for a clock closed by its report, a retracted alert, and an alert without a deadline', () => {
    const later = at('2026-03-05T00:00:00Z');
    expect(isOverdue({ status: 'closed', deadline }, later)).toBe(false);
    expect(isOverdue({ status: 'retracted', deadline }, later)).toBe(false);
    expect(isOverdue({ status: 'open' }, later)).toBe(false);
  });
});
