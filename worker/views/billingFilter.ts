import type { BillingFilter } from './types';

/** The filter the reconciled invoices table opens with (no integration, no type chosen). */
export const OPENING_FILTER: BillingFilter = { types: [] };

/** One name per filter however a screen spells it (an absent integration, an empty type list). */
export const filterKey = (filter: BillingFilter): string => JSON.stringify({ integrationId: filter.integrationId ?? null, types: filter.types ?? [], review: filter.review ?? null });
