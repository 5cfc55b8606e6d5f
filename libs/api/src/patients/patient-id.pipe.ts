import { Injectable, PipeTransform } from '@nestjs/common';
import { badRequest } from '../http/validation';

export const PATIENT_ID = /^(?=.*\d)[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/;

/** A patient id in a path must look like a trial patient code before anything is looked up. */
@Injectable()
export class PatientIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!PATIENT_ID.test(value))
      throw badRequest([{ field: 'patientId', reason: 'must be a trial patient code (3–64 letters, digits, dashes or underscores, with at least one digit)' }]);
    return value;
  }
}
