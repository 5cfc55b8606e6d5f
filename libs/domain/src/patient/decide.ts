import { EventAlreadyVoidedError, EventNotFoundError, PatientAlreadyEnrolledError, PatientNotFoundError, RuleViolationError, ValidationError } from '../errors';
import { toIsoUtc } from '../instant';
import type { DiseaseCode, PatientEvent, Relatedness, Sex, TreatmentStatus } from '../events';
import { TRANSREG } from '../protocol/transreg';
import { findDisease, SITE_ID, SITE_ID_RULE, type TrialProtocol } from '../protocol/trial-protocol';
import { isSusar } from '../safety/adverse-event-rules';
import {
  adverseEventRecord,
  clinicalInstant,
  doseRecord,
  labRecord,
  nonEmptyText,
  RELATEDNESS,
  TREATMENT_STATUSES,
  type AdverseEventInput,
  type DoseInput,
  type LabInput,
  type PatientFacts,
} from './clinical-records';
import type { AdverseEventChanges, DecideContext, DoseChanges, EnrolPatient, LabResultChanges, PatientCommand } from './commands';
import { recordOf, type PatientState, type RecordData, type RecordedEntry, type RecordKind } from './patient-state';
import { changedFields } from './same-values';

export interface PatientDecideContext extends DecideContext {
  /** The trial the patient is enrolled in (default TRANSREG). */
  protocol?: TrialProtocol;
}

// Weight bounds for an adult: below or above is a typing error, not a patient.
const MIN_WEIGHT_KG = 20;
const MAX_WEIGHT_KG = 350;
const MAX_AGE_YEARS = 120;

/**
 * The patient decider: what a command means, given the patient's history, as new events; or a typed
 * domain error, in which case nothing is recorded. Pure: the clock comes in `ctx.now`.
 */
export function decide(command: PatientCommand, state: PatientState, ctx: PatientDecideContext): PatientEvent[] {
  if (command.type === 'EnrolPatient') return enrol(command, state, ctx);
  const patient = enrolledPatient(command, state);
  switch (command.type) {
    case 'RecordDose':
      return [{ type: 'DoseAdministered', version: 1, data: doseRecord(patient, command, ctx) }];
    case 'RecordLabResult':
      return [{ type: 'LabResultRecorded', version: 2, data: labRecord(patient, command, ctx) }];
    case 'ReportAdverseEvent': {
      // Awareness defaults to the recording time (docs/safety-rules.md §5): the SAE clock never starts later than that.
      const awareAt = command.awareAt ?? toIsoUtc(ctx.now);
      const input = {
        ...command,
        awareAt: Date.parse(awareAt) < Date.parse(String(command.onsetAt)) && command.awareAt === undefined ? command.onsetAt : awareAt,
      };
      return [{ type: 'AdverseEventReported', version: 1, data: adverseEventRecord(patient, input, ctx) }];
    }
    case 'CorrectLabResult': {
      const reason = nonEmptyText('reason', command.reason);
      const entry = liveEntry(state, 'labs', command.eventId, 'lab result');
      const input = merge<LabInput>(entry.current, changesOf<LabResultChanges>(command.changes, LAB_FIELDS), ['referenceRange', 'studyDay']);
      const newValues = labRecord(patient, input, ctx);
      const fields = realChanges(entry.current, newValues);
      return [
        {
          type: 'LabResultCorrected',
          version: 1,
          data: { patientId: patient.patientId, originalEventId: entry.eventId, oldValues: entry.current, newValues, changedFields: fields, reason },
        },
      ];
    }
    case 'CorrectDose': {
      const reason = nonEmptyText('reason', command.reason);
      const entry = liveEntry(state, 'doses', command.eventId, 'dose');
      const input = merge<DoseInput>(entry.current, changesOf<DoseChanges>(command.changes, DOSE_FIELDS), ['lot']);
      const newValues = doseRecord(patient, input, ctx);
      const fields = realChanges(entry.current, newValues);
      return [
        {
          type: 'DoseCorrected',
          version: 1,
          data: { patientId: patient.patientId, originalEventId: entry.eventId, oldValues: entry.current, newValues, changedFields: fields, reason },
        },
      ];
    }
    case 'CorrectAdverseEvent': {
      const reason = nonEmptyText('reason', command.reason);
      const entry = liveEntry(state, 'adverseEvents', command.eventId, 'adverse event');
      const input = merge<AdverseEventInput>(entry.current, changesOf<AdverseEventChanges>(command.changes, AE_FIELDS), [
        'seriousnessCriteria',
        'relatedness',
        'outcome',
      ]);
      const newValues = adverseEventRecord(patient, input, ctx);
      const fields = realChanges(entry.current, newValues);
      return [
        {
          type: 'AdverseEventCorrected',
          version: 1,
          data: { patientId: patient.patientId, originalEventId: entry.eventId, oldValues: entry.current, newValues, changedFields: fields, reason },
        },
      ];
    }
    case 'VoidLabResult': {
      const reason = nonEmptyText('reason', command.reason);
      const entry = liveEntry(state, 'labs', command.eventId, 'lab result');
      return [
        {
          type: 'LabResultEnteredInError',
          version: 1,
          data: { patientId: patient.patientId, originalEventId: entry.eventId, oldValues: entry.current, reason },
        },
      ];
    }
    case 'VoidDose': {
      const reason = nonEmptyText('reason', command.reason);
      const entry = liveEntry(state, 'doses', command.eventId, 'dose');
      return [
        { type: 'DoseEnteredInError', version: 1, data: { patientId: patient.patientId, originalEventId: entry.eventId, oldValues: entry.current, reason } },
      ];
    }
    case 'VoidAdverseEvent': {
      const reason = nonEmptyText('reason', command.reason);
      const entry = liveEntry(state, 'adverseEvents', command.eventId, 'adverse event');
      return [
        {
          type: 'AdverseEventEnteredInError',
          version: 1,
          data: { patientId: patient.patientId, originalEventId: entry.eventId, oldValues: entry.current, reason },
        },
      ];
    }
    case 'RecordSponsorReport': {
      const entry = liveEntry(state, 'adverseEvents', command.adverseEventId, 'adverse event', 'adverseEventId');
      const reportedAt = clinicalInstant('reportedAt', command.reportedAt, ctx);
      if (!entry.current.serious) {
        throw new RuleViolationError('only a serious adverse event is reported to the sponsor within 24 hours (docs/safety-rules.md §5)', 'adverseEventId');
      }
      const awareAt = entry.current.awareAt ?? entry.current.onsetAt;
      if (Date.parse(reportedAt) < Date.parse(awareAt)) {
        throw new ValidationError('reportedAt', `${String(command.reportedAt)} is before the investigator became aware of the event (${awareAt})`);
      }
      return [
        {
          type: 'SponsorReportRecorded',
          version: 1,
          data: { patientId: patient.patientId, adverseEventId: entry.eventId, reportedAt, ...reference(command.reference) },
        },
      ];
    }
    case 'AssessAdverseEvent': {
      const entry = liveEntry(state, 'adverseEvents', command.adverseEventId, 'adverse event', 'adverseEventId');
      if (typeof command.expected !== 'boolean') throw new ValidationError('expected', 'must be true or false');
      if (!RELATEDNESS.includes(command.causality as Relatedness)) throw new ValidationError('causality', `must be one of: ${RELATEDNESS.join(', ')}`);
      const note = command.note === undefined || command.note === null ? undefined : nonEmptyText('note', command.note);
      const data = {
        patientId: patient.patientId,
        adverseEventId: entry.eventId,
        expected: command.expected,
        causality: command.causality as Relatedness,
        ...(note !== undefined ? { note } : {}),
        assessedAt: toIsoUtc(ctx.now),
      };
      return [{ type: 'AdverseEventAssessed', version: 1, data }];
    }
    case 'RecordRegulatoryReport': {
      const entry = liveEntry(state, 'adverseEvents', command.adverseEventId, 'adverse event', 'adverseEventId');
      const reportedAt = clinicalInstant('reportedAt', command.reportedAt, ctx);
      if (!isSusar(state, entry)) {
        throw new RuleViolationError(
          'only a SUSAR (serious, assessed by the sponsor as related and unexpected) is reported to the regulator (docs/safety-rules.md §5)',
          'adverseEventId',
        );
      }
      if (Date.parse(reportedAt) < Date.parse(entry.current.onsetAt)) {
        throw new ValidationError('reportedAt', `${String(command.reportedAt)} is before the onset of the event (${entry.current.onsetAt})`);
      }
      return [
        {
          type: 'RegulatoryReportRecorded',
          version: 1,
          data: { patientId: patient.patientId, adverseEventId: entry.eventId, reportedAt, ...reference(command.reference) },
        },
      ];
    }
    case 'ChangeTreatmentStatus': {
      if (!TREATMENT_STATUSES.includes(command.status as TreatmentStatus))
        throw new ValidationError('status', `must be one of: ${TREATMENT_STATUSES.join(', ')}`);
      const effectiveAt = clinicalInstant('effectiveAt', command.effectiveAt, ctx, patient.birthYear);
      const reason = nonEmptyText('reason', command.reason);
      return [
        { type: 'TreatmentStatusChanged', version: 1, data: { patientId: patient.patientId, status: command.status as TreatmentStatus, effectiveAt, reason } },
      ];
    }
    default: {
      const unknown: never = command;
      throw new ValidationError('type', `unknown command ${JSON.stringify((unknown as { type?: unknown }).type)}`);
    }
  }
}

function enrol(command: EnrolPatient, state: PatientState, ctx: PatientDecideContext): PatientEvent[] {
  const protocol = ctx.protocol ?? TRANSREG;
  const patientId = nonEmptyText('patientId', command.patientId);
  // The id names the stream: surrounding spaces would make two patients of one.
  if (patientId !== patientId.trim()) throw new ValidationError('patientId', 'must not start or end with spaces');
  if (state.enrolled) throw new PatientAlreadyEnrolledError(state.patientId ?? patientId);
  // Sites open as a trial goes on: any well-formed site id is accepted; the protocol's list names the
  // sites known so far (TRANSREG's six), it does not close the trial to others.
  if (typeof command.siteId !== 'string' || !SITE_ID.test(command.siteId)) {
    throw new ValidationError('siteId', `must be a site id: ${SITE_ID_RULE} (known ${protocol.id} sites: ${protocol.sites.map((s) => s.id).join(', ')})`);
  }
  if (typeof command.disease !== 'string' || !findDisease(protocol, command.disease)) {
    throw new ValidationError('disease', `not one of the ${protocol.id} diseases: ${protocol.diseases.map((d) => d.code).join(', ')}`);
  }
  if (command.sex !== 'F' && command.sex !== 'M') throw new ValidationError('sex', 'must be F or M');
  if (typeof command.birthYear !== 'number' || !Number.isInteger(command.birthYear)) {
    throw new ValidationError('birthYear', 'must be a year, a whole number');
  }
  if (typeof command.weightKg !== 'number' || !Number.isFinite(command.weightKg) || command.weightKg < MIN_WEIGHT_KG || command.weightKg > MAX_WEIGHT_KG) {
    throw new ValidationError('weightKg', `must be between ${MIN_WEIGHT_KG} and ${MAX_WEIGHT_KG} kg`);
  }
  const enrolledAt = clinicalInstant('enrolledAt', command.enrolledAt, ctx);
  // Only the birth year is known, so age is counted in years between birth year and enrolment year.
  const age = new Date(enrolledAt).getUTCFullYear() - command.birthYear;
  if (age < protocol.minimumAgeYears) {
    throw new ValidationError('birthYear', `the patient is ${age} at enrolment; ${protocol.id} enrols adults (${protocol.minimumAgeYears}+)`);
  }
  if (age > MAX_AGE_YEARS) throw new ValidationError('birthYear', `an age of ${age} years is not plausible`);
  return [
    {
      type: 'PatientEnrolled',
      version: 1,
      data: {
        patientId,
        trialId: protocol.id,
        siteId: command.siteId,
        disease: command.disease as DiseaseCode,
        sex: command.sex as Sex,
        birthYear: command.birthYear,
        weightKg: command.weightKg,
        enrolledAt,
      },
    },
  ];
}

function enrolledPatient(command: Exclude<PatientCommand, EnrolPatient>, state: PatientState): PatientFacts {
  if (!state.enrolled || state.patientId === null || state.demographics === null) {
    throw new PatientNotFoundError(command.patientId ?? '(unknown)');
  }
  if (command.patientId !== undefined && command.patientId !== state.patientId) {
    throw new ValidationError('patientId', `the command names patient ${command.patientId} but was decided against ${state.patientId}`);
  }
  return { patientId: state.patientId, birthYear: state.demographics.birthYear };
}

/** The record a correction, void or report names; read alone, so a command costs the same however long the history. */
function liveEntry<K extends RecordKind>(state: PatientState, kind: K, eventId: string, noun: string, field?: string): RecordedEntry<RecordData[K]> {
  if (field !== undefined && (typeof eventId !== 'string' || eventId.trim() === '')) throw new ValidationError(field, `must be the event id of the ${noun}`);
  const entry = typeof eventId === 'string' ? recordOf(state, kind, eventId) : undefined;
  if (!entry) throw new EventNotFoundError(String(eventId), noun);
  if (entry.voided) throw new EventAlreadyVoidedError(eventId);
  return entry;
}

/** An optional reference (the sponsor's or the regulator's case number): text if given, never blank. */
const reference = (value: unknown): { reference?: string } => (value === undefined || value === null ? {} : { reference: nonEmptyText('reference', value) });

const LAB_FIELDS = ['test', 'value', 'unit', 'collectedAt', 'referenceRange', 'studyDay'] as const;
const DOSE_FIELDS = ['dose', 'unit', 'route', 'administeredAt', 'lot'] as const;
const AE_FIELDS = ['term', 'onsetAt', 'awareAt', 'grade', 'serious', 'seriousnessCriteria', 'relatedness', 'outcome'] as const;

/** The changes object, refusing fields a correction cannot touch (patientId, normalised, …). */
function changesOf<C extends object>(changes: unknown, allowed: readonly string[]): C {
  if (changes === null || typeof changes !== 'object' || Array.isArray(changes)) {
    throw new ValidationError('changes', 'must be an object of the fields to change');
  }
  const unknown = Object.keys(changes).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new ValidationError('changes', `cannot change ${unknown.join(', ')}; correctable fields: ${allowed.join(', ')}`);
  }
  return changes as C;
}

/** Current values with the changes applied: `null` removes an optional field, a required one cannot be removed. */
function merge<I>(current: object, changes: object, removable: readonly string[]): I {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (value === null) {
      if (!removable.includes(key)) throw new ValidationError(key, 'is required and cannot be removed');
      delete merged[key];
    } else {
      merged[key] = value;
    }
  }
  return merged as I;
}

function realChanges<D extends object>(before: D, after: D): string[] {
  const fields = changedFields(before, after);
  if (fields.length === 0) throw new ValidationError('changes', 'the correction changes nothing');
  return fields;
}
