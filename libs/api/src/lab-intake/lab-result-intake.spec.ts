import 'reflect-metadata';
import type { CommandBus } from '@nestjs/cqrs';
import { ExecutePatientCommand } from '../patients/commands/execute-patient-command';
import { LAB_INTAKE_ACTOR, LabResultIntake } from './lab-result-intake';

/** The intake against a command bus that only keeps what it was asked to run. */
function intake() {
  const executed: ExecutePatientCommand[] = [];
  const commands = { execute: async (command: ExecutePatientCommand) => (executed.push(command), { duplicate: false }) } as unknown as CommandBus;
  return { intake: new LabResultIntake(commands), executed };
}

const result = { patientId: 'TR-SAT-601', idempotencyKey: 'ACC-2026-000117', test: 'PLAT', value: 79, unit: '10*9/L', collectedAt: '2026-01-13T07:30:00Z' };

describe('LabResultIntake', () => {
  it('runs the lab-results command under the lab identity, the key as the command id', async () => {
    const { intake: lab, executed } = intake();
    expect(await lab.take(JSON.stringify(result))).toEqual({ recorded: true });
    expect(executed).toHaveLength(1);
    expect(executed[0].patientId).toBe('TR-SAT-601');
    expect(executed[0].command).toMatchObject({ type: 'RecordLabResult', patientId: 'TR-SAT-601', test: 'PLAT', value: 79 });
    expect(executed[0].context).toMatchObject({
      actor: LAB_INTAKE_ACTOR,
      commandId: 'ACC-2026-000117',
      clientCommandId: true,
      correlationId: 'ACC-2026-000117',
    });
  });

  it('refuses an empty idempotency key: a message read twice would otherwise be recorded twice', async () => {
    const { intake: lab, executed } = intake();
    expect(await lab.take(JSON.stringify({ ...result, idempotencyKey: '' }))).toEqual({
      status: 400,
      refused: "idempotencyKey: is required: an id of this result that never changes (the lab's accession number)",
    });
    expect(executed).toEqual([]);
  });

  it('refuses a field the HTTP body does not have, as the API would', async () => {
    const { intake: lab, executed } = intake();
    expect(await lab.take(JSON.stringify({ ...result, flag: 'L' }))).toEqual({ status: 400, refused: 'flag: property flag should not exist' });
    expect(executed).toEqual([]);
  });

  it("refuses a malformed key and patient code with the API's reasons", async () => {
    const { intake: lab, executed } = intake();
    expect(await lab.take(JSON.stringify({ ...result, idempotencyKey: 'short' }))).toMatchObject({
      status: 400,
      refused: expect.stringMatching(/^Idempotency-Key: must be 8–128/),
    });
    expect(await lab.take(JSON.stringify({ ...result, patientId: 'x' }))).toMatchObject({
      status: 400,
      refused: expect.stringMatching(/^patientId: must be a trial patient code/),
    });
    expect(executed).toEqual([]);
  });
});
