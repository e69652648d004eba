import { createSocket, Socket } from 'node:dgram';

/** One SRV answer: the target host name and port, as CoreDNS gives them for a headless Service's pod. */
export interface SrvTarget {
  name: string;
  port: number;
}

const TYPE_SRV = 33;
const CLASS_IN = 1;

function encodeName(name: string): Buffer {
  const labels = name.split('.').filter(Boolean);
  return Buffer.concat([...labels.map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')])), Buffer.from([0])]);
}

/**
 * A DNS server on 127.0.0.1 (UDP) that answers SRV questions from a table the test changes,
 * and NXDOMAIN for any other name: enough to drive node:dns's real Resolver, as CoreDNS would
 * for a StatefulSet's headless Service.
 */
export class SrvDnsServer {
  private readonly records = new Map<string, SrvTarget[]>();

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
  ) {
    socket.on('message', (query, peer) => socket.send(this.answer(query), peer.port, peer.address));
  }

  static async start(): Promise<SrvDnsServer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve());
    });
    return new SrvDnsServer(socket, `127.0.0.1:${socket.address().port}`);
  }

  /** What `name` answers from now on; an empty list answers NXDOMAIN, as for a Service without pods. */
  set(name: string, targets: SrvTarget[]): void {
    this.records.set(name.toLowerCase(), targets);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private answer(query: Buffer): Buffer {
    let offset = 12;
    const labels: string[] = [];
    while (query[offset] !== 0) {
      labels.push(query.toString('ascii', offset + 1, offset + 1 + query[offset]));
      offset += query[offset] + 1;
    }
    const questionEnd = offset + 5;
    const type = query.readUInt16BE(offset + 1);
    const targets = type === TYPE_SRV ? (this.records.get(labels.join('.').toLowerCase()) ?? []) : [];
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2); // the query's id
    header.writeUInt16BE(targets.length > 0 ? 0x8580 : 0x8583, 2); // response, authoritative, RD; NOERROR or NXDOMAIN
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(targets.length, 6);
    const answers = targets.map((target) => {
      const rdata = Buffer.concat([Buffer.from([0, 0, 0, 100, target.port >> 8, target.port & 0xff]), encodeName(target.name)]);
      const fixed = Buffer.alloc(12);
      fixed.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
      fixed.writeUInt16BE(TYPE_SRV, 2);
      fixed.writeUInt16BE(CLASS_IN, 4);
      fixed.writeUInt32BE(5, 6); // TTL 5 s, as CoreDNS's kubernetes plugin
      fixed.writeUInt16BE(rdata.length, 10);
      return Buffer.concat([fixed, rdata]);
    });
    return Buffer.concat([header, query.subarray(12, questionEnd), ...answers]);
  }
}
