//! The manual gateway: cash, bank transfer, cash on delivery, a card terminal at the
//! counter. Nothing leaves the process: every operation succeeds here and the engine's
//! rules decide whether it is recorded, as the ledger did before gateways.

use ordo_core::money::Money;

use crate::gateway::{
    AuthorizeRequest, GatewayError, GatewayReceipt, OperationKey, PaymentGateway,
};

/// The gateway of money that moves outside any API.
#[derive(Debug, Clone, Copy, Default)]
pub struct ManualGateway;

impl ManualGateway {
    fn receipt() -> Result<GatewayReceipt, GatewayError> {
        Ok(GatewayReceipt {
            payment_id: String::new(),
            rest_released: false,
        })
    }
}

impl PaymentGateway for ManualGateway {
    fn name(&self) -> &str {
        "manual"
    }

    fn is_manual(&self) -> bool {
        true
    }

    fn authorize(&self, _: &AuthorizeRequest<'_>) -> Result<GatewayReceipt, GatewayError> {
        ManualGateway::receipt()
    }

    fn capture(
        &self,
        _: &str,
        _: &Money,
        _: &OperationKey,
    ) -> Result<GatewayReceipt, GatewayError> {
        ManualGateway::receipt()
    }

    fn void(&self, _: &str, _: &OperationKey) -> Result<GatewayReceipt, GatewayError> {
        ManualGateway::receipt()
    }

    fn refund(&self, _: &str, _: &Money, _: &OperationKey) -> Result<GatewayReceipt, GatewayError> {
        ManualGateway::receipt()
    }
}
