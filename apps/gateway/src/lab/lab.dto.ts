import { IsBoolean, IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { MAX_REPLICAS, SERVICES, ServiceName } from '@app/config';

/** Body of POST /lab/scale. */
export class ScaleDto {
  @IsIn(SERVICES)
  service: ServiceName;

  @IsInt()
  @Min(1)
  @Max(MAX_REPLICAS)
  replicas: number;
}

/** Body of POST /lab/phase: experiments mark their phases so dashboards can show them. */
export class PhaseDto {
  @IsString()
  @Matches(/^[a-z0-9-]{1,40}$/)
  experiment: string;

  @IsString()
  @Matches(/^[a-z0-9-]{1,40}$/)
  phase: string;

  @IsBoolean()
  active: boolean;
}
