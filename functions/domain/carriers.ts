// Carriers by code: `shipment.carrier` holds a code such as `yamato`, and people read the carrier's
// name in their language (ヤマト運輸, Yamato Transport) in views (shipment.carrierName), mail and the
// console. Any other value is a carrier this table does not know: it is kept and shown as given.
// Pure data, free of Node and DOM APIs: the console's bundle imports it as it is.
import type { Locale } from "./types.ts";

/** A carrier's name in each language. */
export type CarrierName = Readonly<Record<Locale, string>>;

/** The known codes, the carriers Japanese and US marketplaces hand parcels to. */
export const CARRIERS = {
  yamato: { ja: "ヤマト運輸", en: "Yamato Transport" },
  sagawa: { ja: "佐川急便", en: "Sagawa Express" },
  japanpost: { ja: "日本郵便", en: "Japan Post" },
  seino: { ja: "西濃運輸", en: "Seino Transportation" },
  fukutsu: { ja: "福山通運", en: "Fukuyama Transporting" },
  ups: { ja: "UPS", en: "UPS" },
  fedex: { ja: "FedEx", en: "FedEx" },
  usps: { ja: "USPS（米国郵便公社）", en: "USPS" },
  dhl: { ja: "DHL", en: "DHL" },
} as const satisfies Readonly<Record<string, CarrierName>>;

export type CarrierCode = keyof typeof CARRIERS;
export const CARRIER_CODES = Object.keys(CARRIERS) as CarrierCode[];

/**
 * The known carrier a recorded value names, as sellers type it ("Yamato", " yamato " are
 * `yamato`), or undefined for a carrier this table does not know.
 */
export const carrierCodeOf = (carrier: string): CarrierCode | undefined => {
  const code = carrier.trim().toLowerCase();
  // hasOwn: a value such as "constructor" must not resolve to an inherited property.
  return Object.hasOwn(CARRIERS, code) ? (code as CarrierCode) : undefined;
};

/** The carrier's name in both languages: the table's for a known carrier, else the value as given. */
export const carrierNameOf = (carrier: string): CarrierName => {
  const code = carrierCodeOf(carrier);
  return code ? CARRIERS[code] : { ja: carrier, en: carrier };
};
