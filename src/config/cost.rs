//! The cost watch's settings: price overrides (`[prices.endpoint]`, `[prices.notebook]`) over
//! the embedded table and `[cost] endpoint_idle_after`, each checked with file:line:col.

use std::path::Path;
use std::sync::Arc;

use toml::Spanned;

use super::ConfigError;
use super::raw::{RawCost, RawPrices};
use crate::lab::cost::{CostSettings, DEFAULT_IDLE_AFTER_SECS, Kind, PriceTable};

/// The highest price accepted, to catch a price typed in cents or per month.
const MAX_PRICE: f64 = 1000.0;

/// The cost settings the config asks for: the embedded prices with its overrides on top.
pub(super) fn settings(
    path: &Path,
    text: &str,
    prices: Option<RawPrices>,
    cost: Option<RawCost>,
) -> Result<CostSettings, ConfigError> {
    let err = |span, msg: String| ConfigError::at(path, text, Some(span), msg);
    let prices = prices.unwrap_or_default();
    let mut table = (*PriceTable::builtin()).clone();
    for (kind, map) in [
        (Kind::Endpoint, prices.endpoint),
        (Kind::Notebook, prices.notebook),
    ] {
        for (ty, value) in map {
            if !ty.get_ref().starts_with("ml.") || ty.get_ref().len() < 4 {
                return Err(err(
                    ty.span(),
                    format!(
                        "'{}' is not a SageMaker instance type (like ml.m5.large)",
                        ty.get_ref()
                    ),
                ));
            }
            let usd = price(ty.get_ref(), &value).map_err(|m| err(value.span(), m))?;
            table.set(kind, ty.get_ref(), usd);
        }
    }
    let idle_after_secs = match cost.and_then(|c| c.endpoint_idle_after) {
        Some(d) => duration_secs(d.get_ref()).map_err(|m| err(d.span(), m))?,
        None => DEFAULT_IDLE_AFTER_SECS,
    };
    Ok(CostSettings {
        prices: Arc::new(table),
        idle_after_secs,
    })
}

/// A price in USD per hour: a number, zero or more, at most [`MAX_PRICE`].
fn price(ty: &str, value: &Spanned<toml::Value>) -> Result<f64, String> {
    let usd = match value.get_ref() {
        toml::Value::Float(f) => *f,
        toml::Value::Integer(i) => *i as f64,
        other => {
            return Err(format!(
                "the price of {ty} must be a number of USD per hour (like 0.115), not a {}",
                other.type_str()
            ));
        }
    };
    if !usd.is_finite() || usd < 0.0 {
        return Err(format!(
            "the price of {ty} must be zero or more USD per hour, not {usd}"
        ));
    }
    if usd > MAX_PRICE {
        return Err(format!(
            "the price of {ty} is {usd} USD per hour; more than {MAX_PRICE} is surely a typo"
        ));
    }
    Ok(usd)
}

/// A duration like `90m`, `2h`, `1h30m`, `1h 30m`, `2 hours` or `45s` (jiff's friendly format,
/// or ISO 8601's `PT1H30M`), in whole seconds, days being 24 hours; at least a minute.
pub fn duration_secs(s: &str) -> Result<i64, String> {
    let bad =
        || format!("endpoint_idle_after '{s}' is not a duration like \"90m\", \"2h\" or \"1h30m\"");
    let span: jiff::Span = s.trim().parse().map_err(|_| bad())?;
    let total = span
        .total((
            jiff::Unit::Second,
            jiff::SpanRelativeTo::days_are_24_hours(),
        ))
        .map_err(|_| bad())?;
    if total < 60.0 {
        return Err(format!(
            "endpoint_idle_after '{s}' is too short; give at least 1m"
        ));
    }
    // A span's largest total is far within i64's seconds.
    Ok(total.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::duration_secs;

    #[test]
    fn durations_parse_in_units() {
        assert_eq!(duration_secs("90m"), Ok(5400));
        assert_eq!(duration_secs("2h"), Ok(7200));
        assert_eq!(duration_secs("1h30m"), Ok(5400));
        assert_eq!(duration_secs("1d"), Ok(86_400));
        assert_eq!(duration_secs("60s"), Ok(60));
        assert_eq!(duration_secs("1h 30m"), Ok(5400));
        assert_eq!(duration_secs("2 hours"), Ok(7200));
        assert_eq!(duration_secs("1.5h"), Ok(5400));
        assert_eq!(duration_secs("PT1H30M"), Ok(5400));
        for bad in ["", "2", "h", "two hours", "2h3", "1 fortnight", "1 month"] {
            assert!(duration_secs(bad).is_err(), "{bad}");
        }
        assert!(duration_secs("59s").unwrap_err().contains("too short"));
        assert!(duration_secs("-1h").unwrap_err().contains("too short"));
    }
}
