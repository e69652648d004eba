import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { ProtoWriter } from './proto-writer';

/**
 * OTLP/protobuf field numbers (opentelemetry-proto, trace/v1 and common/v1) of the messages the
 * lean tracer writes.
 */
export const OTLP = {
  request: { resourceSpans: 1 },
  resourceSpans: { resource: 1, scopeSpans: 2 },
  resource: { attributes: 1 },
  scopeSpans: { scope: 1, spans: 2 },
  scope: { name: 1, version: 2 },
  span: { traceId: 1, spanId: 2, traceState: 3, parentSpanId: 4, name: 5, kind: 6, start: 7, end: 8, attributes: 9, droppedAttributes: 10, events: 11, links: 13, status: 15, flags: 16 },
  event: { time: 1, name: 2, attributes: 3 },
  link: { traceId: 1, spanId: 2, traceState: 3, attributes: 4, flags: 6 },
  status: { message: 2, code: 3 },
  keyValue: { key: 1, value: 2 },
  anyValue: { string: 1, bool: 2, int: 3, double: 4, array: 5 },
  arrayValue: { values: 1 },
} as const;

/** Writes one AnyValue's oneof field (numbers: integers as int_value, the rest as double_value, as the SDK's transformer does). */
function writeAnyValue(writer: ProtoWriter, value: Exclude<AttributeValue, unknown[]> | null | undefined): void {
  switch (typeof value) {
    case 'string':
      writer.string(OTLP.anyValue.string, value);
      return;
    case 'boolean':
      writer.tag(OTLP.anyValue.bool, 0).varint(value ? 1 : 0);
      return;
    case 'number':
      if (Number.isSafeInteger(value)) writer.tag(OTLP.anyValue.int, 0).int64(value);
      else writer.tag(OTLP.anyValue.double, 1).double(value);
      return;
    default:
      // null or undefined inside an array: an empty AnyValue, as the SDK's transformer writes it
      return;
  }
}

/** Writes `attributes` as repeated KeyValue in field `field`; undefined values are skipped. */
export function writeAttributes(writer: ProtoWriter, field: number, attributes: Attributes): void {
  for (const key in attributes) {
    const value = attributes[key];
    if (value === undefined) continue;
    writer.begin(field).string(OTLP.keyValue.key, key).begin(OTLP.keyValue.value);
    if (Array.isArray(value)) {
      writer.begin(OTLP.anyValue.array);
      for (const item of value as unknown[]) {
        writer.begin(OTLP.arrayValue.values);
        writeAnyValue(writer, item as Exclude<AttributeValue, unknown[]>);
        writer.end();
      }
      writer.end();
    } else {
      writeAnyValue(writer, value as Exclude<AttributeValue, unknown[]>);
    }
    writer.end().end();
  }
}

/** A point in time as nanoseconds since `performance.timeOrigin` (a double: exact to the nanosecond for 104 days). */
export type OriginNanos = number;

const TWO_32 = 2 ** 32;

/**
 * The Unix-epoch nanoseconds of `performance.timeOrigin` split into 32-bit halves, so a span's
 * time (a small double relative to it) becomes a fixed64 with two additions and no BigInt.
 */
export class EpochClock {
  private readonly originLow: number;
  private readonly originHigh: number;

  constructor(timeOriginMs: number = performance.timeOrigin) {
    const originNs = BigInt(Math.round(timeOriginMs * 1e6));
    this.originLow = Number(originNs & 0xffffffffn);
    this.originHigh = Number(originNs >> 32n);
  }

  /** Writes `relative` (ns since the time origin) as a fixed64 of Unix-epoch nanoseconds. */
  writeFixed64(writer: ProtoWriter, relative: OriginNanos): void {
    const ns = Math.round(relative);
    const relativeLow = ((ns % TWO_32) + TWO_32) % TWO_32;
    const relativeHigh = Math.floor(ns / TWO_32);
    const low = this.originLow + relativeLow;
    const carry = low >= TWO_32 ? 1 : 0;
    writer.fixed64(low - carry * TWO_32, this.originHigh + relativeHigh + carry);
  }
}
