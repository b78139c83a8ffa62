//! The wording every message and page shares: "a" or "an", a count with its noun in the
//! singular or plural, and the majority rule's arithmetic in whole people ("at least 3"),
//! so that no page says "a executive member", "1 declarations" or "more than 2.5".

/// "a" or "an" before `word`, by how it is said: "an executive member", "a lay member",
/// "an NHS trust", "a uniform". Words starting with a vowel take "an", except those said
/// with a "you" or "wuh" sound; upper-case initialisms take "an" when their first letter's
/// name starts with a vowel sound (F, H, L, M, N, R, S, X).
pub fn article(word: &str) -> &'static str {
    let word = word.trim_start();
    let lower = word.to_lowercase();
    let first_word = word
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    let initialism = first_word.len() > 1 && first_word.chars().all(|c| c.is_ascii_uppercase());
    const YOU: [&str; 6] = ["uni", "use", "usu", "eu", "one", "ure"];
    if !initialism && YOU.iter().any(|p| lower.starts_with(p)) {
        return "a";
    }
    match lower.chars().next() {
        Some(c) if initialism && "aefhilmnorsx".contains(c) => "an",
        Some(_) if initialism => "a",
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ if lower.starts_with("hour") || lower.starts_with("honest") => "an",
        _ => "a",
    }
}

/// `noun` with its article: "an executive member".
pub fn with_article(noun: &str) -> String {
    format!("{} {noun}", article(noun))
}

/// The same, starting a sentence: "An executive member".
pub fn with_capital_article(noun: &str) -> String {
    let a = article(noun);
    let mut chars = a.chars();
    let first = chars
        .next()
        .expect("an article has letters")
        .to_ascii_uppercase();
    format!("{first}{} {noun}", chars.as_str())
}

/// `one` when `n` is 1, else `many`.
pub fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// A count with its noun: "1 declaration", "0 declarations", "3 declarations".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", plural(n, one, many))
}

/// The fewest of `n` people that are more than half of them: 3 of 4, 3 of 5, 1 of 1.
pub fn more_than_half(n: usize) -> usize {
    n / 2 + 1
}

/// The majority rule falling short, in whole numbers: "2 of 5 voting members are lay or
/// executive; more than half is needed, so at least 3". `who` names the people counted
/// ("voting member", "member counting for this item"), in the singular.
pub fn majority_shortfall(
    lay_executive: usize,
    of: usize,
    who_one: &str,
    who_many: &str,
) -> String {
    format!(
        "{lay_executive} of {} {} lay or executive; more than half is needed, so at least {}",
        count(of, who_one, who_many),
        plural(lay_executive, "is", "are"),
        more_than_half(of)
    )
}

/// "a, b and c".
pub fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_follow_the_sound() {
        for (word, a) in [
            ("executive member", "an"),
            ("lay member", "a"),
            ("clinical member", "a"),
            ("observer", "an"),
            ("interest", "an"),
            ("unpaid role", "an"),
            ("university", "a"),
            ("user", "a"),
            ("one-off payment", "a"),
            ("European body", "a"),
            ("hour", "an"),
            ("NHS trust", "an"),
            ("GP member", "a"),
            ("ICB", "an"),
            ("EU grant", "an"),
            ("", "a"),
        ] {
            assert_eq!(article(word), a, "{word}");
        }
        assert_eq!(with_article("executive member"), "an executive member");
        assert_eq!(
            with_capital_article("executive member"),
            "An executive member"
        );
        assert_eq!(with_capital_article("lay member"), "A lay member");
    }

    #[test]
    fn counts_take_the_singular_only_for_one() {
        assert_eq!(count(1, "declaration", "declarations"), "1 declaration");
        assert_eq!(count(0, "declaration", "declarations"), "0 declarations");
        assert_eq!(count(2, "declaration", "declarations"), "2 declarations");
        assert_eq!(count(1, "breach", "breaches"), "1 breach");
    }

    #[test]
    fn more_than_half_is_a_whole_number_of_people() {
        for (n, at_least) in [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (6, 4), (7, 4)] {
            assert_eq!(more_than_half(n), at_least, "of {n}");
            assert!(2 * more_than_half(n) > n && 2 * (more_than_half(n) - 1) <= n);
        }
    }

    #[test]
    fn the_majority_shortfall_reads_in_whole_people() {
        assert_eq!(
            majority_shortfall(2, 5, "voting member", "voting members"),
            "2 of 5 voting members are lay or executive; more than half is needed, so at least 3"
        );
        assert_eq!(
            majority_shortfall(1, 3, "member counting", "members counting"),
            "1 of 3 members counting is lay or executive; more than half is needed, so at least 2"
        );
        assert_eq!(
            majority_shortfall(2, 4, "voting member", "voting members"),
            "2 of 4 voting members are lay or executive; more than half is needed, so at least 3"
        );
    }
}
