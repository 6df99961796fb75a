//! Service Catalog: the portfolio's shares (Tools) and the provisioned products with their
//! outputs (DataScience).

use std::collections::BTreeMap;

use aws_sdk_servicecatalog::Client;
use aws_sdk_servicecatalog::types::{
    AccessLevelFilter, AccessLevelFilterKey, DescribePortfolioShareType,
    ProvisionedProductAttribute,
};

use super::errors::CallError;
use super::time::ts;
use crate::lab::{PortfolioShare, ProvisionedProduct};

/// DescribePortfolioShares (account shares) of one portfolio, every page.
pub async fn shares(
    client: &Client,
    portfolio_id: &str,
    portfolio_name: &str,
) -> Result<Vec<PortfolioShare>, CallError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .describe_portfolio_shares()
            .portfolio_id(portfolio_id)
            .r#type(DescribePortfolioShareType::Account)
            .set_page_token(token.take())
            .send()
            .await
            .map_err(|e| CallError::from_sdk("DescribePortfolioShares", e))?;
        out.extend(
            page.portfolio_share_details()
                .iter()
                .map(|d| PortfolioShare {
                    portfolio_id: portfolio_id.to_string(),
                    portfolio_name: portfolio_name.to_string(),
                    shared_with: d.principal_id().unwrap_or_default().to_string(),
                    accepted: d.accepted(),
                }),
        );
        match page.next_page_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(out),
        }
    }
}

/// SearchProvisionedProducts across the whole account, every page, keeping the products that
/// have a name (which of them are the lab's is decided with the Tools account's product id, see
/// `LabNames::is_lab_product`). A provisioned product without a product name is never the lab's.
pub async fn products(client: &Client) -> Result<Vec<ProvisionedProduct>, CallError> {
    let filter = AccessLevelFilter::builder()
        .key(AccessLevelFilterKey::Account)
        .value("self")
        .build();
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .search_provisioned_products()
            .access_level_filter(filter.clone())
            .set_page_token(token.take())
            .send()
            .await
            .map_err(|e| CallError::from_sdk("SearchProvisionedProducts", e))?;
        out.extend(
            page.provisioned_products()
                .iter()
                .filter(|p| p.product_name().is_some_and(|n| !n.is_empty()))
                .map(product),
        );
        match page.next_page_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(out),
        }
    }
}

/// GetProvisionedProductOutputs, every page.
pub async fn outputs(
    client: &Client,
    provisioned_product_id: &str,
) -> Result<BTreeMap<String, String>, CallError> {
    let mut out = BTreeMap::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .get_provisioned_product_outputs()
            .provisioned_product_id(provisioned_product_id)
            .set_page_token(token.take())
            .send()
            .await
            .map_err(|e| CallError::from_sdk("GetProvisionedProductOutputs", e))?;
        for o in page.outputs() {
            if let Some(k) = o.output_key() {
                out.insert(
                    k.to_string(),
                    o.output_value().unwrap_or_default().to_string(),
                );
            }
        }
        match page.next_page_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(out),
        }
    }
}

fn product(p: &ProvisionedProductAttribute) -> ProvisionedProduct {
    ProvisionedProduct {
        name: p.name().unwrap_or_default().to_string(),
        id: p.id().unwrap_or_default().to_string(),
        product_name: p.product_name().unwrap_or_default().to_string(),
        product_id: p.product_id().unwrap_or_default().to_string(),
        status: p.status().map_or("", |s| s.as_str()).to_string(),
        status_message: p
            .status_message()
            .filter(|m| !m.is_empty())
            .map(str::to_string),
        outputs: BTreeMap::new(),
        created: ts(p.created_time()),
    }
}
