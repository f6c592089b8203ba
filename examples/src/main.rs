fn main() -> Result<(), Box<dyn std::error::Error>> {
    let t = std::time::Instant::now();
    let d = omo_core::sample::sample_company(&omo_core::sample::SampleConfig::default())?;
    println!("gen {:?}", t.elapsed());
    println!("customers {} movements {} pos {} orders {} shipments {} invoices {} payments {} prepaid {} counts {}", d.customers.len(), d.movements.len(), d.pos_sales.len(), d.orders.len(), d.shipments.len(), d.invoices.len(), d.payments.len(), d.prepaid_orders.len(), d.counts.len());
    let t = std::time::Instant::now();
    let r = d.validate();
    println!("validate {:?} issues {}", t.elapsed(), r.issues.len());
    for i in r.issues.iter().take(10) { println!("{i}"); }
    let t = std::time::Instant::now();
    let j = d.to_json()?;
    println!("json {} MB {:?}", j.len() / 1_000_000, t.elapsed());
    Ok(())
}
