import { DynamicModule, Global, Module } from '@nestjs/common';
import { LabConfig } from './lab-config';

/** Injection token of the validated LabConfig. */
export const LAB_CONFIG = Symbol('LAB_CONFIG');

/** Makes a config that was validated before boot injectable everywhere. */
@Global()
@Module({})
export class LabConfigModule {
  static forRoot(config: LabConfig): DynamicModule {
    return { module: LabConfigModule, providers: [{ provide: LAB_CONFIG, useValue: config }], exports: [LAB_CONFIG] };
  }
}
