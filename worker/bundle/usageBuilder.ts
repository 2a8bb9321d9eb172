import { parseUnits, UNIT } from '../engine/decimal';
import { parseIsoDate } from '../engine/dates';
import { Dictionary } from '../engine/dictionary';
import { NO_DAY, type UsageTable } from '../engine/model';
import { StringIds } from '../engine/stringIds';

/** BigInt64Array wraps silently past ±2^63; refuse such quantities instead. */
const MAX_UNITS = 1n << 62n;

/** Collects validated usage rows (USAGE_COLUMNS order) into the columnar UsageTable. */
export class UsageBuilder {
  private readonly integration = new Dictionary();
  private readonly externalClient = new Dictionary();
  private readonly externalName = new Dictionary();
  private readonly product = new Dictionary();
  private readonly category = new Dictionary();
  private readonly codes = { integration: [] as number[], externalClient: [] as number[], externalName: [] as number[], product: [] as number[], category: [] as number[] };
  private readonly recordIds: string[] = [];
  private readonly seatIds = new StringIds(1 << 16);
  private readonly seats: number[] = [];
  private readonly quantities: bigint[] = [];
  private readonly lastActive: number[] = [];

  add(values: readonly string[], report: (column: string, message: string) => void): void {
    const [integrationId, externalClientId, externalName, recordId, product, category, quantity, lastActive] = values as [string, string, string, string, string, string, string, string];
    const units = quantity === '' ? UNIT : parseUnits(quantity)!;
    if (units > MAX_UNITS || units < -MAX_UNITS) {
      report('quantity', `"${quantity}" is too large`);
      return;
    }
    const integrationCode = this.integration.code(integrationId);
    this.codes.integration.push(integrationCode);
    this.seats.push(this.seatIds.id(integrationCode, recordId));
    this.codes.externalClient.push(this.externalClient.code(externalClientId));
    this.codes.externalName.push(this.externalName.code(externalName));
    this.codes.product.push(this.product.code(product));
    this.codes.category.push(this.category.code(category));
    this.recordIds.push(recordId);
    this.quantities.push(units);
    this.lastActive.push(lastActive === '' ? NO_DAY : parseIsoDate(lastActive)!);
  }

  build(): UsageTable {
    return {
      length: this.recordIds.length,
      integrationId: { values: this.integration.values, codes: Uint32Array.from(this.codes.integration) },
      externalClientId: { values: this.externalClient.values, codes: Uint32Array.from(this.codes.externalClient) },
      externalClientName: { values: this.externalName.values, codes: Uint32Array.from(this.codes.externalName) },
      recordId: this.recordIds,
      product: { values: this.product.values, codes: Uint32Array.from(this.codes.product) },
      category: { values: this.category.values, codes: Uint32Array.from(this.codes.category) },
      quantity: BigInt64Array.from(this.quantities),
      lastActive: Int32Array.from(this.lastActive),
      seat: Int32Array.from(this.seats),
      seatCount: this.seatIds.size,
    };
  }
}
