export { safeFetch, readBody, SafeFetchError, type SafeFetchOptions, type SafeFetchResponse } from './safe-fetch.ts';
export { classifyAddress, ipLiteral, type AddressPolicy, type AddressVerdict } from './address-policy.ts';
