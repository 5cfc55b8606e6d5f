import { DynamicModule, Inject, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { CONSOLE_OPTIONS, ConsoleController, ConsoleOptions } from './console.controller';
import { consoleDirectory } from './console-files';

/** The browser console (apps/console), served by the same process as the API (see ConsoleController). */
@Module({})
export class ConsoleModule implements OnModuleInit {
  static forRoot(options: { demo: boolean; env: NodeJS.ProcessEnv }): DynamicModule {
    const consoleOptions: ConsoleOptions = {
      directory: consoleDirectory(options.env),
      demo: options.demo,
      clientId: options.env.VIGIL_CONSOLE_CLIENT_ID?.trim() || undefined,
      env: options.env,
    };
    return { module: ConsoleModule, controllers: [ConsoleController], providers: [{ provide: CONSOLE_OPTIONS, useValue: consoleOptions }] };
  }

  constructor(
    private readonly adapter: HttpAdapterHost,
    @Inject(CONSOLE_OPTIONS) private readonly options: ConsoleOptions,
  ) {}

  /** @fastify/static for `reply.sendFile` only (`serve: false`): the controller decides which files exist. */
  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter.getInstance<FastifyInstance>();
    if (!fastify.hasReplyDecorator('sendFile')) void fastify.register(fastifyStatic, { root: this.options.directory, serve: false });
  }
}
