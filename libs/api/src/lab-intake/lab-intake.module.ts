import { BeforeApplicationShutdown, DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { KafkaIntake, type KafkaIntakeOptions } from '@vigil/messaging';
import { LabResultIntake } from './lab-result-intake';

const LAB_INTAKE_OPTIONS = Symbol('LAB_INTAKE_OPTIONS');

/** Joins the lab topic's consumer group once the application is up; leaves it before the store closes. */
@Injectable()
class LabIntakeLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('LabIntake');
  private readonly consumer: KafkaIntake;

  constructor(
    intake: LabResultIntake,
    @Inject(LAB_INTAKE_OPTIONS) private readonly options: KafkaIntakeOptions,
  ) {
    this.consumer = new KafkaIntake(options, (value) => intake.take(value));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
    this.logger.log(
      `recording lab results from Kafka topic ${this.options.topic} (group ${this.options.groupId}); refused ones go to ${this.options.deadLetterTopic}`,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}

/**
 * Lab results through Kafka (VIGIL_KAFKA_LAB_TOPIC): recorded like `POST /patients/:patientId/lab-results`.
 * Needs the ApiModule (its command handlers) in the same application.
 */
@Module({})
export class LabIntakeModule {
  static forRoot(options: KafkaIntakeOptions | undefined): DynamicModule {
    if (!options) return { module: LabIntakeModule };
    return {
      module: LabIntakeModule,
      providers: [LabResultIntake, { provide: LAB_INTAKE_OPTIONS, useValue: options }, LabIntakeLifecycle],
    };
  }
}
