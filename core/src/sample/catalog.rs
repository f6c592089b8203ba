//! The fixed master data of the sample fertilizer maker: regions, business units, categories,
//! products with their demand profiles, and bundles.

/// How a product's demand moves through the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Season {
    /// Field crops (rice, wheat, maize): a spring planting peak and a smaller autumn one.
    FieldCrops,
    /// Cash crops (fruit, vegetables): a spring peak and a summer one.
    CashCrops,
}

/// One product of the sample catalogue.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SkuSpec {
    pub id: &'static str,
    pub name: &'static str,
    pub category: &'static str,
    pub brand: &'static str,
    /// Unit of measure.
    pub unit: &'static str,
    /// Units per pack (a distributor orders whole packs: pallets of bags).
    pub pack: u32,
    /// Standard cost per unit, in cents.
    pub cost_cents: i64,
    /// List price per unit, in cents.
    pub price_cents: i64,
    /// Mean bags a typical retailer sells per day at the seasonal peak.
    pub peak_rate: f64,
    /// Mean bags per sale when the product sells only now and then (1 for regular products).
    pub lump: u32,
    pub season: Season,
    /// Made by the OEM supplier (held there on consignment) rather than by our plant.
    pub oem: bool,
    /// Stops selling after the first simulated year, leaving dead stock in the channel.
    pub discontinued: bool,
}

/// Regions under the root `CN`: (id, name).
pub(crate) const REGIONS: [(&str, &str); 4] =
    [("NORTH", "North China"), ("EAST", "East China"), ("SOUTH", "South China"), ("WEST", "Southwest China")];

/// Business units under the company `CO`: (id, name).
pub(crate) const BUSINESS_UNITS: [(&str, &str); 2] = [("BU-FIELD", "Field crops"), ("BU-CASH", "Cash crops")];

/// Categories under `ALL`: (id, name, business unit that sells them).
pub(crate) const CATEGORIES: [(&str, &str, &str); 4] = [
    ("COMPOUND", "Compound NPK", "BU-FIELD"),
    ("STRAIGHT", "Straight N / P / K", "BU-FIELD"),
    ("SOLUBLE", "Water-soluble", "BU-CASH"),
    ("ORGANIC", "Bio-organic", "BU-CASH"),
];

const fn sku(
    id: &'static str,
    name: &'static str,
    category: &'static str,
    cost_cents: i64,
    price_cents: i64,
    peak_rate: f64,
) -> SkuSpec {
    SkuSpec {
        id,
        name,
        category,
        brand: "Harvest Star",
        unit: "bag",
        pack: 10,
        cost_cents,
        price_cents,
        peak_rate,
        lump: 1,
        season: Season::FieldCrops,
        oem: false,
        discontinued: false,
    }
}

/// A product for cash crops (the categories of `BU-CASH`).
const fn cash(mut spec: SkuSpec) -> SkuSpec {
    spec.season = Season::CashCrops;
    spec
}

const fn oem(mut spec: SkuSpec) -> SkuSpec {
    spec.oem = true;
    spec.brand = "Harvest Star Pro";
    spec
}

const fn lumpy(mut spec: SkuSpec, lump: u32) -> SkuSpec {
    spec.lump = lump;
    spec
}

const fn dropped(mut spec: SkuSpec) -> SkuSpec {
    spec.discontinued = true;
    spec
}

/// The 20 products: 5 per category; two sell only now and then, two are discontinued after a year.
pub(crate) const SKUS: [SkuSpec; 20] = [
    sku("NPK-151515-50", "NPK 15-15-15, 50 kg", "COMPOUND", 16_500, 21_000, 1.40),
    sku("NPK-171717-50", "NPK 17-17-17, 50 kg", "COMPOUND", 17_800, 22_800, 1.00),
    sku("NPK-261210-50", "NPK 26-12-10 rice, 50 kg", "COMPOUND", 16_900, 21_500, 0.80),
    sku("NPK-201010-40", "NPK 20-10-10 wheat, 40 kg", "COMPOUND", 13_200, 16_900, 0.70),
    dropped(sku("NPK-121212-50", "NPK 12-12-12 classic, 50 kg", "COMPOUND", 14_000, 17_500, 0.45)),
    sku("UREA-46-50", "Urea 46 %, 50 kg", "STRAIGHT", 10_500, 13_200, 1.60),
    sku("DAP-1846-50", "DAP 18-46, 50 kg", "STRAIGHT", 17_500, 21_800, 0.70),
    sku("MOP-60-50", "Potash MOP 60 %, 50 kg", "STRAIGHT", 14_800, 18_600, 0.50),
    sku("AS-21-50", "Ammonium sulphate, 50 kg", "STRAIGHT", 6_200, 8_100, 0.40),
    dropped(sku("SSP-16-50", "Single superphosphate, 50 kg", "STRAIGHT", 4_800, 6_300, 0.30)),
    cash(oem(sku("WS-203020-10", "Water-soluble 20-20-20, 10 kg", "SOLUBLE", 9_800, 14_500, 0.60))),
    cash(oem(sku("WS-101040-10", "Water-soluble high-K 10-10-40, 10 kg", "SOLUBLE", 10_200, 15_200, 0.40))),
    cash(oem(sku("WS-CAL-10", "Calcium nitrate, 10 kg", "SOLUBLE", 6_500, 9_200, 0.35))),
    cash(oem(lumpy(sku("WS-TRACE-5", "Chelated trace elements, 5 kg", "SOLUBLE", 12_000, 19_500, 0.025), 4))),
    cash(oem(sku("WS-AMINO-5", "Amino-acid foliar, 5 kg", "SOLUBLE", 7_600, 11_800, 0.20))),
    cash(sku("BIO-ORG-40", "Bio-organic base, 40 kg", "ORGANIC", 4_200, 6_200, 0.90)),
    cash(sku("BIO-HUM-25", "Humic acid granules, 25 kg", "ORGANIC", 6_800, 9_800, 0.45)),
    cash(sku("BIO-MIC-20", "Microbial inoculant, 20 kg", "ORGANIC", 8_800, 13_500, 0.25)),
    cash(lumpy(sku("BIO-SEA-20", "Seaweed extract, 20 kg", "ORGANIC", 11_500, 17_800, 0.02), 5)),
    cash(sku("BIO-MAN-40", "Composted manure, 40 kg", "ORGANIC", 2_500, 3_900, 0.60)),
];

/// A crop-nutrition plan of the sample catalogue.
pub(crate) struct BundleSpec {
    pub id: &'static str,
    pub name: &'static str,
    /// (SKU, bags per bundle).
    pub components: &'static [(&'static str, u32)],
    /// Discount on the components' list price, in percent.
    pub discount_percent: i64,
}

/// The three bundles.
pub(crate) const BUNDLES: [BundleSpec; 3] = [
    BundleSpec {
        id: "PLAN-RICE",
        name: "Rice nutrition plan, 10 mu",
        components: &[("NPK-261210-50", 4), ("UREA-46-50", 2), ("BIO-ORG-40", 3)],
        discount_percent: 8,
    },
    BundleSpec {
        id: "PLAN-WHEAT",
        name: "Wheat nutrition plan, 10 mu",
        components: &[("NPK-201010-40", 5), ("UREA-46-50", 2), ("MOP-60-50", 1)],
        discount_percent: 8,
    },
    BundleSpec {
        id: "PLAN-CITRUS",
        name: "Citrus nutrition plan, 5 mu",
        components: &[("WS-203020-10", 4), ("WS-101040-10", 3), ("BIO-HUM-25", 2), ("WS-CAL-10", 2)],
        discount_percent: 10,
    },
];
