import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Projector, RebuildProgress } from '@vigil/projections';

export class RebuildProjectionCommand {
  constructor(readonly name: string) {}
}

/** The job as the API answers it: its one projection named, and its progress. */
export type RebuildJob = RebuildProgress & { projection: string };

@CommandHandler(RebuildProjectionCommand)
export class RebuildProjectionHandler implements ICommandHandler<RebuildProjectionCommand, RebuildJob> {
  constructor(private readonly projector: Projector) {}

  async execute({ name }: RebuildProjectionCommand): Promise<RebuildJob> {
    const job = await this.projector.rebuild(name);
    return { ...job, projection: job.projections[0] };
  }
}
