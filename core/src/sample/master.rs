//! The sample company's master data: the three axes, and the layout the simulation works on.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::SampleConfig;
use super::catalog::{BUNDLES, BUSINESS_UNITS, CATEGORIES, REGIONS, SKUS};
use super::demand::Draws;
use crate::dataset::Dataset;
use crate::error::Result;
use crate::model::*;

/// How a customer pays its invoices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PayHabit {
    /// Pays on or a little before the due date.
    Punctual,
    /// Pays 3 to 20 days late.
    SlightlyLate,
    /// Pays 30 to 75 days late.
    ChronicallyLate,
    /// Pays 60 % a few days late and the rest 40 to 60 days late.
    InParts,
    /// A government buyer: pays 60 to 120 days late.
    Bureaucratic,
}

/// A customer the maker sells to directly, with its terms and habits.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub customer: CustomerId,
    pub habit: PayHabit,
    pub terms_days: u64,
}

/// A distributor: its account, its warehouse node and its retailers.
#[derive(Debug, Clone)]
pub(crate) struct DistributorSite {
    pub account: Account,
    pub node: NodeId,
    pub retailers: std::ops::Range<usize>,
}

/// A retailer: its node, its size (multiplies demand) and its farmers.
#[derive(Debug, Clone)]
pub(crate) struct RetailerSite {
    pub customer: CustomerId,
    pub node: NodeId,
    pub size: f64,
    pub farmers: std::ops::Range<usize>,
}

/// What the simulation needs to know about the company beyond the dataset itself.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub plant: NodeId,
    pub oem: NodeId,
    pub distributors: Vec<DistributorSite>,
    pub retailers: Vec<RetailerSite>,
    pub farmers: Vec<CustomerId>,
    /// Enterprise and government buyers served directly from the plant.
    pub direct: Vec<Account>,
    pub products: Vec<ProductId>,
    pub currency: Currency,
}

const HABITS: [PayHabit; 8] = [
    PayHabit::Punctual,
    PayHabit::Punctual,
    PayHabit::ChronicallyLate,
    PayHabit::SlightlyLate,
    PayHabit::InParts,
    PayHabit::Punctual,
    PayHabit::SlightlyLate,
    PayHabit::ChronicallyLate,
];

pub(crate) fn master_data(
    config: &SampleConfig,
    start: NaiveDate,
    end: NaiveDate,
    draws: &mut Draws,
) -> Result<(Dataset, Layout)> {
    let currency = Currency::new("CNY")?;
    let mut d = Dataset::new("Harvest Star Fertilizer Co.", currency.clone(), end);
    product_axis(&mut d)?;
    let region_ids = organisation(&mut d)?;
    let (plant, oem) = maker_nodes(&mut d)?;
    let mut layout = Layout {
        plant,
        oem,
        distributors: Vec::new(),
        retailers: Vec::new(),
        farmers: Vec::new(),
        direct: Vec::new(),
        products: d.products.iter().map(|p| p.id.clone()).collect(),
        currency,
    };
    channel(config, start, &region_ids, &mut d, &mut layout, draws)?;
    direct_buyers(&mut d, &mut layout)?;
    Ok((d, layout))
}

fn product_axis(d: &mut Dataset) -> Result<()> {
    let all = CategoryId::new("ALL")?;
    d.categories.push(ProductCategory::new(all.clone(), "All products", None)?);
    for (id, name, _) in CATEGORIES {
        d.categories.push(ProductCategory::new(CategoryId::new(id)?, name, Some(all.clone()))?);
    }
    for spec in SKUS {
        let mut product = Product::new(
            ProductId::new(spec.id)?,
            spec.name,
            CategoryId::new(spec.category)?,
            spec.unit,
            Decimal::new(spec.cost_cents, 2),
            Decimal::new(spec.price_cents, 2),
        )?;
        product.brand = spec.brand.to_owned();
        product.pack_size = Decimal::from(spec.pack);
        // Distributors order at least two packs of a product at a time.
        product.minimum_order = Decimal::from(2 * spec.pack);
        if spec.discontinued {
            product.status = LifecycleStatus::Discontinued;
        }
        d.products.push(product);
    }
    for spec in BUNDLES {
        let mut components = Vec::new();
        let mut list_value = Decimal::ZERO;
        for &(sku, bags) in spec.components {
            let product = ProductId::new(sku)?;
            list_value += d.product(&product).map(|p| p.list_price).unwrap_or_default() * Decimal::from(bags);
            components.push(BundleComponent { product, quantity: Decimal::from(bags) });
        }
        let price = (list_value * (Decimal::ONE_HUNDRED - Decimal::from(spec.discount_percent)) / Decimal::ONE_HUNDRED)
            .round_dp(2);
        d.bundles.push(Bundle::new(BundleId::new(spec.id)?, spec.name, components, price)?);
    }
    Ok(())
}

/// Regions, BUs and the sales organisation; returns the region ids in order.
fn organisation(d: &mut Dataset) -> Result<Vec<RegionId>> {
    let country = RegionId::new("CN")?;
    d.regions.push(Region::new(country.clone(), "China", None)?);
    let company = BusinessUnitId::new("CO")?;
    d.business_units.push(BusinessUnit::new(company.clone(), "Harvest Star (all BUs)", None)?);
    for (id, name) in BUSINESS_UNITS {
        d.business_units.push(BusinessUnit::new(BusinessUnitId::new(id)?, name, Some(company.clone()))?);
    }
    let director = SalespersonId::new("S-DIR")?;
    d.salespeople.push(Salesperson::new(director.clone(), "Wang Lei (sales director)", None)?);
    let mut regions = Vec::new();
    for (id, name) in REGIONS {
        let region = RegionId::new(id)?;
        d.regions.push(Region::new(region.clone(), name, Some(country.clone()))?);
        let mut manager = Salesperson::new(
            SalespersonId::new(format!("S-{id}"))?,
            format!("{name} manager"),
            Some(director.clone()),
        )?;
        manager.region = Some(region.clone());
        d.salespeople.push(manager);
        regions.push(region);
    }
    Ok(regions)
}

fn maker_nodes(d: &mut Dataset) -> Result<(NodeId, NodeId)> {
    let maker = NodeId::new("MAKER")?;
    d.nodes.push(Node::new(maker.clone(), "Harvest Star Fertilizer Co.", NodeKind::Manufacturer, None)?);
    let plant = NodeId::new("PLANT-1")?;
    let mut plant_node = Node::new(plant.clone(), "Linyi plant", NodeKind::Plant, Some(maker.clone()))?;
    plant_node.region = Some(RegionId::new("NORTH")?);
    d.nodes.push(plant_node);
    let oem = NodeId::new("OEM-1")?;
    let mut oem_node = Node::new(oem.clone(), "Jiangsu water-soluble OEM", NodeKind::OemSupplier, Some(maker))?;
    oem_node.ownership = StockOwnership::Consigned;
    oem_node.region = Some(RegionId::new("EAST")?);
    d.nodes.push(oem_node);
    Ok((plant, oem))
}

fn channel(
    config: &SampleConfig,
    start: NaiveDate,
    regions: &[RegionId],
    d: &mut Dataset,
    layout: &mut Layout,
    draws: &mut Draws,
) -> Result<()> {
    let units = [BusinessUnitId::new(BUSINESS_UNITS[0].0)?, BusinessUnitId::new(BUSINESS_UNITS[1].0)?];
    let retailer_count = config.distributors * config.retailers_per_distributor;
    let mut farmer_owners = Vec::with_capacity(retailer_count);
    for i in 0..config.distributors {
        let region = regions[i % regions.len()].clone();
        let unit = units[(i / regions.len()) % units.len()].clone();
        let rep = SalespersonId::new(format!("S-{:02}", i + 1))?;
        let mut person = Salesperson::new(
            rep.clone(),
            format!("Sales rep {:02}", i + 1),
            Some(SalespersonId::new(format!("S-{region}"))?),
        )?;
        person.region = Some(region.clone());
        person.business_unit = Some(unit.clone());
        d.salespeople.push(person);

        let customer = CustomerId::new(format!("D-{:02}", i + 1))?;
        let node = NodeId::new(format!("DN-{:02}", i + 1))?;
        let mut dist = Customer::new(
            customer.clone(),
            format!("Distributor {:02} ({region})", i + 1),
            CustomerKind::Distributor,
            region.clone(),
            unit.clone(),
        )?;
        dist.salesperson = Some(rep.clone());
        dist.node = Some(node.clone());
        dist.since = start.checked_sub_days(Days::new(draws.between(400, 3000) as u64));
        d.customers.push(dist);
        let mut dist_node = Node::new(
            node.clone(),
            format!("Distributor {:02} warehouse", i + 1),
            NodeKind::Distributor,
            Some(NodeId::new("MAKER")?),
        )?;
        dist_node.region = Some(region.clone());
        dist_node.customer = Some(customer.clone());
        d.nodes.push(dist_node);

        let first_retailer = layout.retailers.len();
        for j in 0..config.retailers_per_distributor {
            let r = layout.retailers.len();
            let rid = CustomerId::new(format!("R-{:03}", r + 1))?;
            let rnode = NodeId::new(format!("RN-{:03}", r + 1))?;
            let mut retailer = Customer::new(
                rid.clone(),
                format!("Retailer {:03}", r + 1),
                CustomerKind::Retailer,
                region.clone(),
                unit.clone(),
            )?;
            retailer.salesperson = Some(rep.clone());
            retailer.parent = Some(customer.clone());
            retailer.node = Some(rnode.clone());
            retailer.since = start.checked_sub_days(Days::new(draws.between(30, 2000) as u64));
            d.customers.push(retailer);
            let mut shop = Node::new(
                rnode.clone(),
                format!("Retailer {:03} shop", r + 1),
                NodeKind::Retailer,
                Some(node.clone()),
            )?;
            shop.region = Some(region.clone());
            shop.customer = Some(rid.clone());
            d.nodes.push(shop);
            // Farmers are dealt out evenly; sizes vary from a village shop to a county store.
            let lo = config.farmers * r / retailer_count;
            let hi = config.farmers * (r + 1) / retailer_count;
            let size = 0.5 + 1.5 * draws.uniform() + if j == 0 { 0.8 } else { 0.0 };
            layout.retailers.push(RetailerSite { customer: rid, node: rnode, size, farmers: lo..hi });
            farmer_owners.push((region.clone(), unit.clone()));
        }
        let habit = HABITS[i % HABITS.len()];
        let terms_days = if i % 3 == 2 { 60 } else { 30 };
        layout.distributors.push(DistributorSite {
            account: Account { customer, habit, terms_days },
            node,
            retailers: first_retailer..layout.retailers.len(),
        });
    }
    for (site, (region, unit)) in layout.retailers.iter().zip(farmer_owners) {
        for f in site.farmers.clone() {
            let id = CustomerId::new(format!("F-{:05}", f + 1))?;
            let mut farmer = Customer::new(
                id.clone(),
                format!("Farmer {:05}", f + 1),
                CustomerKind::EndUser,
                region.clone(),
                unit.clone(),
            )?;
            farmer.parent = Some(site.customer.clone());
            farmer.since = start.checked_add_days(Days::new(draws.between(0, 200) as u64));
            d.customers.push(farmer);
            layout.farmers.push(id);
        }
    }
    Ok(())
}

fn direct_buyers(d: &mut Dataset, layout: &mut Layout) -> Result<()> {
    let buyers = [
        ("E-01", "Heilongjiang Rice Plantation Group", CustomerKind::Enterprise, "NORTH", PayHabit::Punctual, 60),
        ("E-02", "Guangxi Citrus Cooperative", CustomerKind::Enterprise, "SOUTH", PayHabit::SlightlyLate, 60),
        (
            "G-01",
            "Provincial Agriculture Bureau (soil programme)",
            CustomerKind::Government,
            "EAST",
            PayHabit::Bureaucratic,
            90,
        ),
    ];
    for (id, name, kind, region, habit, terms_days) in buyers {
        let customer = CustomerId::new(id)?;
        let mut buyer =
            Customer::new(customer.clone(), name, kind, RegionId::new(region)?, BusinessUnitId::new("BU-FIELD")?)?;
        buyer.salesperson = Some(SalespersonId::new(format!("S-{region}"))?);
        d.customers.push(buyer);
        layout.direct.push(Account { customer, habit, terms_days });
    }
    Ok(())
}
