import { autotaskContractServices } from './profiles/autotaskContractServices';
import { connectwiseAdditions } from './profiles/connectwiseAdditions';
import { m365ActiveUsers } from './profiles/m365ActiveUsers';
import { nableEfile } from './profiles/nableEfile';
import { ninjaOneDevices } from './profiles/ninjaOneDevices';
import { pax8Invoice } from './profiles/pax8Invoice';
import { sentinelOneEndpoints } from './profiles/sentinelOneEndpoints';
import type { SourceProfile } from './types';

/** The exports Ledgerline reads out of the box; a workspace's saved profiles come on top. */
export const BUILTIN_PROFILES: readonly SourceProfile[] = [m365ActiveUsers, ninjaOneDevices, pax8Invoice, nableEfile, sentinelOneEndpoints, connectwiseAdditions, autotaskContractServices];
