//! SplitMix64: small, deterministic and the same on every machine; the generator of `prove`,
//! and of the fuzz tests and benchmarks.

/// A seeded stream of numbers: the same seed gives the same stream everywhere.
pub(crate) struct Random(pub(crate) u64);

impl Random {
    /// The next number.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n`.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True `percent` times in a hundred.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One of `items`, or `fallback` when there are none.
    pub(crate) fn pick<T: Clone>(&mut self, items: &[T], fallback: T) -> T {
        items.get(self.below(items.len() as u64) as usize).cloned().unwrap_or(fallback)
    }
}
