//! Catalog and stock commands.

use crate::audit::{AuditAction, AuditRecord, Changes, FieldChange, Subject};
use crate::auth::{Actor, Operation};
use crate::catalog::{Product, ProductDraft, ProductInput, Sku};
use crate::error::{EntityKind, Error, Result};
use crate::ids::ProductId;
use crate::inventory::{Stock, StockReason, WarehouseCode};
use crate::store::{Record, RecordKey, RecordKind, Store, Versioned, keys};

use super::{Engine, Page};

impl<S: Store> Engine<S> {
    /// Adds a product to the catalog.
    ///
    /// # Errors
    /// `Validation`; `Duplicate` if the SKU exists; `Forbidden`.
    pub fn create_product(&self, actor: &Actor, input: ProductInput) -> Result<Product> {
        actor.require(Operation::ManageCatalog)?;
        let draft = ProductDraft::parse(input)?;
        self.transact(|unit| {
            if unit.product_id_by_sku(draft.sku())?.is_some() {
                return Err(Error::Duplicate {
                    entity: EntityKind::Product,
                    field: "SKU",
                    value: draft.sku().to_string(),
                });
            }
            let now = self.clock.now();
            let product = Product::create(ProductId(unit.store().next_id()?), now, draft.clone());
            unit.reindex(&[], &keys::product_entries(product.id(), product.sku()));
            unit.audit(AuditRecord {
                at: now,
                actor: actor.record(),
                action: AuditAction::ProductCreated,
                subjects: vec![Subject::Product(product.id())],
                changes: vec![
                    FieldChange::new("sku", None, Some(product.sku().to_string())),
                    FieldChange::new("name", None, Some(product.name().to_string())),
                    FieldChange::new("base price", None, Some(product.base_price().to_string())),
                ],
            });
            unit.put(Record::Product(product.clone()));
            Ok(product)
        })
    }

    /// Replaces a product's details (SKU changes are allowed if the new SKU is free).
    ///
    /// # Errors
    /// `Validation`; `NotFound`; `Duplicate`; `Forbidden`.
    pub fn update_product(&self, actor: &Actor, sku: &str, input: ProductInput) -> Result<Product> {
        actor.require(Operation::ManageCatalog)?;
        let sku = Sku::parse(sku)?;
        let draft = ProductDraft::parse(input)?;
        self.transact(|unit| {
            let old = unit.product_by_sku(&sku)?;
            let new_sku = draft.sku();
            if new_sku != old.sku() && unit.product_id_by_sku(new_sku)?.is_some() {
                return Err(Error::Duplicate {
                    entity: EntityKind::Product,
                    field: "SKU",
                    value: new_sku.to_string(),
                });
            }
            let updated = old.with_details(draft.clone());
            let changes = product_changes(&old, &updated);
            unit.reindex(
                &keys::product_entries(old.id(), old.sku()),
                &keys::product_entries(updated.id(), updated.sku()),
            );
            unit.audit(AuditRecord {
                at: self.clock.now(),
                actor: actor.record(),
                action: AuditAction::ProductUpdated,
                subjects: vec![Subject::Product(old.id())],
                changes,
            });
            unit.put(Record::Product(updated.clone()));
            Ok(updated)
        })
    }

    /// Receives `quantity` units of `sku` into `warehouse`.
    ///
    /// # Errors
    /// `Validation`; `NotFound`; `Forbidden`.
    pub fn restock(
        &self,
        actor: &Actor,
        sku: &str,
        warehouse: &str,
        quantity: u64,
        reason: &str,
    ) -> Result<Stock> {
        self.change_stock(
            actor,
            sku,
            warehouse,
            reason,
            AuditAction::StockRestocked,
            |stock, w| stock.restock(w, quantity).map(|()| format!("+{quantity}")),
        )
    }

    /// Corrects on-hand units of `sku` in `warehouse` by `delta` (never below reserved).
    ///
    /// # Errors
    /// `Validation`; `Refused` (`AdjustmentBelowReserved`) if the result would fall
    /// below what is reserved; `NotFound`.
    pub fn adjust_stock(
        &self,
        actor: &Actor,
        sku: &str,
        warehouse: &str,
        delta: i64,
        reason: &str,
    ) -> Result<Stock> {
        self.change_stock(
            actor,
            sku,
            warehouse,
            reason,
            AuditAction::StockAdjusted,
            |stock, w| stock.adjust(w, delta).map(|()| format!("{delta:+}")),
        )
    }

    fn change_stock(
        &self,
        actor: &Actor,
        sku: &str,
        warehouse: &str,
        reason: &str,
        action: AuditAction,
        change: impl Fn(&mut Stock, &WarehouseCode) -> Result<String>,
    ) -> Result<Stock> {
        actor.require(Operation::ManageStock)?;
        let sku = Sku::parse(sku)?;
        let warehouse = WarehouseCode::parse(warehouse)?;
        let reason = StockReason::parse(reason)?;
        self.transact(|unit| {
            let product = unit.product_by_sku(&sku)?;
            let stock = unit.stock_mut(product.id())?;
            let before = stock.level(&warehouse).map_or(0, |l| l.on_hand());
            let delta = change(stock, &warehouse)?;
            let after = stock.level(&warehouse).map_or(0, |l| l.on_hand());
            let result = stock.clone();
            unit.audit(AuditRecord {
                at: self.clock.now(),
                actor: actor.record(),
                action,
                subjects: vec![Subject::Product(product.id())],
                changes: vec![
                    FieldChange::new(
                        &format!("on hand in {warehouse}"),
                        Some(before.to_string()),
                        Some(after.to_string()),
                    ),
                    FieldChange::new(
                        "reason",
                        None,
                        Some(format!("{delta}: {}", reason.as_str())),
                    ),
                ],
            });
            Ok(result)
        })
    }

    /// A product by SKU.
    ///
    /// # Errors
    /// `Validation`; `NotFound`; `Forbidden`.
    pub fn product_by_sku(&self, actor: &Actor, sku: &str) -> Result<Product> {
        actor.require(Operation::ReadCatalog)?;
        let sku = Sku::parse(sku)?;
        let id = self
            .store
            .index_get(
                crate::store::IndexName::ProductBySku,
                &keys::product_sku(&sku),
            )?
            .ok_or_else(|| Error::not_found(EntityKind::Product, format!("with SKU {sku}")))?;
        self.get_product(actor, ProductId(id))
    }

    /// A product by id.
    ///
    /// # Errors
    /// `NotFound`; `Forbidden`.
    pub fn get_product(&self, actor: &Actor, id: ProductId) -> Result<Product> {
        actor.require(Operation::ReadCatalog)?;
        match self.store.get(&RecordKey::Product(id))? {
            Some(Versioned {
                value: Record::Product(p),
                ..
            }) => Ok(p),
            _ => Err(Error::not_found(EntityKind::Product, id)),
        }
    }

    /// Products in id order, after `after`, at most `limit`; a product that cannot be read
    /// is skipped and reported in [`Page::skipped`].
    ///
    /// # Errors
    /// `Forbidden`; `Storage`.
    pub fn list_products(
        &self,
        actor: &Actor,
        after: Option<ProductId>,
        limit: usize,
    ) -> Result<Page<Product>> {
        actor.require(Operation::ReadCatalog)?;
        self.list_records(
            RecordKind::Product,
            after.map(RecordKey::Product),
            limit,
            |record| match record {
                Record::Product(p) => Some(p),
                _ => None,
            },
        )
    }

    /// The stock of a product (empty if never stocked).
    ///
    /// # Errors
    /// `Forbidden`; `Storage`.
    pub fn stock_of(&self, actor: &Actor, product: ProductId) -> Result<Stock> {
        actor.require(Operation::ReadCatalog)?;
        match self.store.get(&RecordKey::Stock(product))? {
            Some(Versioned {
                value: Record::Stock(s),
                ..
            }) => Ok(s),
            _ => Ok(Stock::empty(product)),
        }
    }
}

fn product_changes(old: &Product, new: &Product) -> Vec<FieldChange> {
    let debug = |value: &dyn std::fmt::Debug| format!("{value:?}");
    let mut changes = Changes::new();
    changes.diff("sku", old.sku(), new.sku());
    changes.diff("name", old.name(), new.name());
    changes.diff("description", old.description(), new.description());
    changes.diff("base price", old.base_price(), new.base_price());
    changes.diff("active", old.is_active(), new.is_active());
    changes.diff("tax category", old.tax_category(), new.tax_category());
    changes.diff(
        "specifications",
        debug(&old.specifications()),
        debug(&new.specifications()),
    );
    changes.diff(
        "media",
        format!("{} items", old.media().len()),
        format!("{} items", new.media().len()),
    );
    changes.diff(
        "price lists",
        debug(&old.price_lists()),
        debug(&new.price_lists()),
    );
    changes.diff(
        "backorder",
        debug(&old.backorder()),
        debug(&new.backorder()),
    );
    changes.into_vec()
}
