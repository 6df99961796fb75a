//! CBOR (RFC 8949) answers for the Smithy RPC v2 CBOR protocol, which the SDK speaks to
//! CloudWatch: maps with text keys, arrays, text, floats and epoch timestamps, encoded by ciborium.

use ciborium::Value;

/// One CBOR value of the kinds a CloudWatch answer holds.
pub enum Cbor {
    Text(String),
    F64(f64),
    Array(Vec<Cbor>),
    Map(Vec<(&'static str, Cbor)>),
    /// Seconds since the epoch, tagged 1 as the protocol writes timestamps.
    Timestamp(f64),
}

impl Cbor {
    pub fn text(s: &str) -> Cbor {
        Cbor::Text(s.to_string())
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::into_writer(&self.value(), &mut out).expect("CBOR into a Vec");
        out
    }

    fn value(&self) -> Value {
        match self {
            Cbor::Text(s) => Value::Text(s.clone()),
            Cbor::F64(v) => Value::Float(*v),
            Cbor::Array(items) => Value::Array(items.iter().map(Cbor::value).collect()),
            Cbor::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| (Value::Text((*k).to_string()), v.value()))
                    .collect(),
            ),
            Cbor::Timestamp(secs) => Value::Tag(1, Box::new(Value::Float(*secs))),
        }
    }
}

#[test]
fn encodes_the_rfc_examples() {
    assert_eq!(Cbor::text("a").encode(), [0x61, 0x61]);
    assert_eq!(Cbor::F64(1.1).encode()[..3], [0xfb, 0x3f, 0xf1]);
    assert_eq!(
        Cbor::Map(vec![("a", Cbor::Array(vec![]))]).encode(),
        [0xa1, 0x61, 0x61, 0x80]
    );
    // 1(1363896240.5), RFC 8949 appendix A.
    assert_eq!(
        Cbor::Timestamp(1363896240.5).encode(),
        [0xc1, 0xfb, 0x41, 0xd4, 0x52, 0xd9, 0xec, 0x20, 0x00, 0x00]
    );
    assert_eq!(Cbor::text(&"x".repeat(24)).encode()[..2], [0x78, 24]);
}
