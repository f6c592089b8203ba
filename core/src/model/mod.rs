//! The entities of the three axes (product, customer, supply chain) and the transactions between
//! them. Each entity is a plain serde record with a validating constructor; [`crate::Dataset`]
//! checks the references between them.

mod billing;
mod credit_account;
mod currency;
mod customer;
pub mod exact;
mod hierarchy;
mod ids;
mod issues;
mod order;
mod plan;
mod prepaid;
mod product;
mod stock;
mod supply;
mod supply_chain;

pub use billing::{Invoice, InvoiceKind, Payment, PaymentAllocation};
pub use credit_account::{AccountChange, AuditEntry, AuditStamp, CreditAccount, RiskClass, TemporaryIncrease};
pub use currency::{Conversion, ExchangeRate, RateTable, convert};
pub use customer::{BusinessUnit, Customer, CustomerKind, Region, Salesperson};
pub use hierarchy::Hierarchy;
pub use ids::{
    BundleId, BusinessUnitId, CategoryId, Currency, CustomerId, InvoiceId, LineId, MAX_ID_LEN, MaterialId, NodeId,
    OrderId, PaymentId, PrepaidOrderId, ProductId, ProductionOrderId, PurchaseOrderId, RegionId, SalespersonId,
    ShipmentId, SupplierId,
};
pub use issues::{Check, Issues, MAX_AMOUNT, MAX_QUANTITY, MAX_UNIT_PRICE, ValidationIssue};
pub use order::{
    OrderStatus, SalesLine, SalesOrder, Shipment, ShipmentLine, TrackingEvent, TrackingStatus, lines_total,
};
pub use plan::{SalesTarget, TargetScope};
pub use prepaid::{Pickup, PrepaidOrder};
pub use product::{Bundle, BundleComponent, LifecycleStatus, Product, ProductCategory};
pub use stock::{MovementKind, PosSale, StockCount, StockMovement};
pub use supply::{
    BillOfMaterials, Component, Item, LineHours, LineRate, Material, MaterialStock, ProductionLine, ProductionOrder,
    ProductionStatus, PurchaseLine, PurchaseOrder, Supplier, SupplierKind, SupplyData, SupplyTerms,
};
pub use supply_chain::{Node, NodeKind, StockOwnership};
