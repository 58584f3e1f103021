//! A list of problems that holds at least one: an error value can never say "0 problems".

use std::fmt;

/// One or more problems, in the order they were found (by position in the policy).
///
/// Built only by the library, always non-empty: [`Problems::first`] needs no `Option`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems<T> {
    // Boxed so that an error holding problems stays small (a `Result` is returned by value).
    first: Box<T>,
    rest: Vec<T>,
}

impl<T> Problems<T> {
    /// The problems of `list`, or `None` when it is empty.
    pub(crate) fn from_vec(list: Vec<T>) -> Option<Problems<T>> {
        let mut list = list.into_iter();
        let first = list.next()?;
        Some(Problems { first: Box::new(first), rest: list.collect() })
    }

    /// One problem alone.
    pub(crate) fn one(first: T) -> Problems<T> {
        Problems { first: Box::new(first), rest: Vec::new() }
    }

    /// The first problem (the earliest in the text).
    pub fn first(&self) -> &T {
        &self.first
    }

    /// How many problems there are (at least one).
    #[allow(clippy::len_without_is_empty)] // never empty, by construction
    pub fn len(&self) -> usize {
        1 + self.rest.len()
    }

    /// Every problem, in order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        std::iter::once(self.first.as_ref()).chain(self.rest.iter())
    }
}

impl<T> IntoIterator for Problems<T> {
    type Item = T;
    type IntoIter = std::iter::Chain<std::iter::Once<T>, std::vec::IntoIter<T>>;

    fn into_iter(self) -> Self::IntoIter {
        std::iter::once(*self.first).chain(self.rest)
    }
}

impl<'a, T> IntoIterator for &'a Problems<T> {
    type Item = &'a T;
    type IntoIter = std::iter::Chain<std::iter::Once<&'a T>, std::slice::Iter<'a, T>>;

    fn into_iter(self) -> Self::IntoIter {
        std::iter::once(self.first.as_ref()).chain(self.rest.iter())
    }
}

impl<T: fmt::Display> fmt::Display for Problems<T> {
    /// "3 problems, the first: ..." (or just the problem when there is one).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.len() {
            1 => write!(f, "{}", self.first),
            n => write!(f, "{n} problems, the first: {}", self.first),
        }
    }
}
