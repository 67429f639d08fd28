export {
  formatIPv4,
  formatIPv6,
  formatAddress,
  formatEndpoint,
  parseAddress,
  type AddressWords,
  type ParsedAddress,
} from './address.js';
