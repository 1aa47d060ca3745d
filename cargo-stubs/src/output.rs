//! What people read: counts in words.

/// `1 stub`, `2 stubs`: a count and its noun, singular for one.
pub fn counted(count: usize, noun: &str) -> String {
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {noun}{plural}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_counted_in_the_singular_and_every_other_count_in_the_plural() {
        assert_eq!(counted(0, "stub"), "0 stubs");
        assert_eq!(counted(1, "stub"), "1 stub");
        assert_eq!(counted(2, "unused stub"), "2 unused stubs");
    }
}
