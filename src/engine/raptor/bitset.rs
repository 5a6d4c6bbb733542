//! A fixed-size bitset over stop or route indices: the marks of a RAPTOR round (as in nigiri's
//! `raptor_state.h`). Setting is O(1); iterating and clearing cost one word per 64 bits.

/// A set of indices below the size given to `reset`, one bit each.
#[derive(Clone, Debug, Default)]
pub struct BitSet {
    words: Vec<u64>,
}

impl BitSet {
    /// Makes room for `n` bits, all clear. Keeps the allocation when it is large enough.
    pub fn reset(&mut self, n: usize) {
        let w = n.div_ceil(64);
        self.words.clear();
        self.words.resize(w, 0);
    }

    /// Adds `i`.
    #[inline(always)]
    pub fn set(&mut self, i: usize) {
        self.words[i >> 6] |= 1u64 << (i & 63);
    }

    /// Removes `i`.
    #[inline(always)]
    pub fn clear_bit(&mut self, i: usize) {
        self.words[i >> 6] &= !(1u64 << (i & 63));
    }

    /// Whether `i` is in the set.
    #[inline(always)]
    pub fn get(&self, i: usize) -> bool {
        self.words[i >> 6] & (1u64 << (i & 63)) != 0
    }

    /// Removes every index, keeping the size.
    pub fn clear(&mut self) {
        self.words.fill(0);
    }

    /// Whether no index is set.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// Swaps the contents with `other` (both must have the same size).
    pub fn swap(&mut self, other: &mut BitSet) {
        std::mem::swap(&mut self.words, &mut other.words);
    }

    /// Calls `f` with every set index in increasing order.
    #[inline]
    pub fn for_each(&self, mut f: impl FnMut(usize)) {
        for (wi, &w) in self.words.iter().enumerate() {
            let mut w = w;
            while w != 0 {
                let b = w.trailing_zeros() as usize;
                f(wi * 64 + b);
                w &= w - 1;
            }
        }
    }
}

impl BitSet {
    /// The set indices in increasing order, as an iterator (its loop body stays in the caller,
    /// compiled with the caller's target features: the batched search's AVX2 copy).
    #[inline(always)]
    pub fn ones(&self) -> Ones<'_> {
        Ones {
            words: &self.words,
            wi: 0,
            w: self.words.first().copied().unwrap_or(0),
        }
    }
}

/// The iterator of [`BitSet::ones`].
#[derive(Clone, Debug)]
pub struct Ones<'a> {
    words: &'a [u64],
    wi: usize,
    w: u64,
}

impl Iterator for Ones<'_> {
    type Item = usize;
    #[inline(always)]
    fn next(&mut self) -> Option<usize> {
        while self.w == 0 {
            self.wi += 1;
            self.w = *self.words.get(self.wi)?;
        }
        let b = self.w.trailing_zeros() as usize;
        self.w &= self.w - 1;
        Some(self.wi * 64 + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_iterate_clear() {
        let mut b = BitSet::default();
        b.reset(130);
        assert!(b.is_empty());
        for i in [0, 63, 64, 129, 5] {
            b.set(i);
        }
        let mut seen = Vec::new();
        b.for_each(|i| seen.push(i));
        assert_eq!(seen, vec![0, 5, 63, 64, 129]);
        assert_eq!(b.ones().collect::<Vec<_>>(), seen);
        let mut e = BitSet::default();
        assert_eq!(e.ones().next(), None);
        e.reset(200);
        e.set(199);
        assert_eq!(e.ones().collect::<Vec<_>>(), vec![199]);
        assert!(b.get(64) && !b.get(65));
        let mut c = BitSet::default();
        c.reset(130);
        b.swap(&mut c);
        assert!(b.is_empty() && c.get(129));
        c.clear();
        assert!(c.is_empty());
    }
}
