//! A small seeded PRNG (SplitMix64): the simulator's only source of randomness, so runs repeat exactly.

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const HEX: &[u8] = b"0123456789abcdef";

/// SplitMix64 (Steele, Lea, Flood 2014).
#[derive(Clone, Debug)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// An independent stream for participant `index` of a run seeded with `seed`.
    pub(crate) fn for_participant(seed: u64, index: usize) -> Self {
        let mut base = Rng::new(seed ^ GOLDEN.wrapping_mul(index as u64 + 1));
        Rng::new(base.next_u64())
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0); the modulo bias is negligible for our small `n`.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// Uniform in `lo..=hi` (`lo` when the range is empty).
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo) as u64 + 1) as i64
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn chars(&mut self, n: usize, alphabet: &[u8]) -> String {
        (0..n)
            .map(|_| char::from(alphabet[self.below(alphabet.len() as u64) as usize]))
            .collect()
    }

    /// `n` characters of `[a-z0-9]`.
    pub(crate) fn lower(&mut self, n: usize) -> String {
        self.chars(n, LOWER)
    }

    /// `n` characters of `[A-Z0-9]`.
    pub(crate) fn upper(&mut self, n: usize) -> String {
        self.chars(n, UPPER)
    }

    /// A lowercase UUID-shaped hex id.
    pub(crate) fn uuid(&mut self) -> String {
        format!(
            "{}-{}-{}-{}-{}",
            self.chars(8, HEX),
            self.chars(4, HEX),
            self.chars(4, HEX),
            self.chars(4, HEX),
            self.chars(12, HEX)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_repeat_and_differ() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..4 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let mut p0 = Rng::for_participant(7, 0);
        let mut p1 = Rng::for_participant(7, 1);
        assert_ne!(p0.next_u64(), p1.next_u64());
    }

    #[test]
    fn helpers_stay_in_bounds() {
        let mut r = Rng::new(1);
        for _ in 0..1000 {
            let v = r.range(3, 5);
            assert!((3..=5).contains(&v));
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
        }
        assert_eq!(r.range(4, 4), 4);
        assert_eq!(r.lower(13).len(), 13);
        assert!(
            r.upper(12)
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        );
        assert_eq!(r.uuid().len(), 36);
    }
}
