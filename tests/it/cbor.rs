//! A minimal CBOR encoder (RFC 8949) for answers in the Smithy RPC v2 CBOR protocol, which the
//! SDK speaks to CloudWatch: maps with text keys, arrays, text, floats and epoch timestamps.

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
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Cbor::Text(s) => {
                head(out, 3, s.len() as u64);
                out.extend_from_slice(s.as_bytes());
            }
            Cbor::F64(v) => {
                out.push(0xfb);
                out.extend_from_slice(&v.to_be_bytes());
            }
            Cbor::Array(items) => {
                head(out, 4, items.len() as u64);
                for i in items {
                    i.write(out);
                }
            }
            Cbor::Map(entries) => {
                head(out, 5, entries.len() as u64);
                for (k, v) in entries {
                    Cbor::text(k).write(out);
                    v.write(out);
                }
            }
            Cbor::Timestamp(secs) => {
                head(out, 6, 1);
                Cbor::F64(*secs).write(out);
            }
        }
    }
}

/// A major type and its argument (a length, or a tag number).
fn head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=0xff => out.extend([m | 24, n as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        _ => {
            out.push(m | 26);
            out.extend_from_slice(&(n as u32).to_be_bytes());
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
