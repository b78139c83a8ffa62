//! A word-level comparison of two versions of a text, for showing an amendment: each side
//! as escaped HTML, the words only the old one has in `<del>` and the words only the new
//! one has in `<ins>`, each mark opening with visually hidden "removed:" or "added:" so a
//! screen reader says what the strike-through or underline shows.

use handlebars::html_escape as esc;

/// The two sides of a comparison, as HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marked {
    pub before: String,
    pub after: String,
}

/// Above this many cells the comparison table is not built and the whole text counts as
/// replaced (field limits keep real texts well under it; this bounds the memory).
const MAX_CELLS: usize = 4_000_000;

/// Runs of whitespace and of anything else, in order: comparing these keeps the spacing
/// and line breaks of each side exactly.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut last_space = None;
    for (i, ch) in text.char_indices() {
        let space = ch.is_whitespace();
        if last_space.is_some_and(|s| s != space) {
            out.push(&text[start..i]);
            start = i;
        }
        last_space = Some(space);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Same,
    Removed,
    Added,
}

/// The longest common subsequence of the two token lists, as a sequence of steps.
fn steps<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<(Op, &'a str)> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (a, b) = (
        &old[prefix..old.len() - suffix],
        &new[prefix..new.len() - suffix],
    );
    let mut out: Vec<(Op, &str)> = old[..prefix].iter().map(|t| (Op::Same, *t)).collect();
    let (n, m) = (a.len(), b.len());
    if (n + 1).saturating_mul(m + 1) > MAX_CELLS {
        out.extend(a.iter().map(|t| (Op::Removed, *t)));
        out.extend(b.iter().map(|t| (Op::Added, *t)));
    } else {
        // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
        let mut lcs = vec![0u32; (n + 1) * (m + 1)];
        let at = |i: usize, j: usize| i * (m + 1) + j;
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[at(i, j)] = if a[i] == b[j] {
                    lcs[at(i + 1, j + 1)] + 1
                } else {
                    lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && a[i] == b[j] {
                out.push((Op::Same, a[i]));
                i += 1;
                j += 1;
            } else if j < m && (i == n || lcs[at(i, j + 1)] >= lcs[at(i + 1, j)]) {
                out.push((Op::Added, b[j]));
                j += 1;
            } else {
                out.push((Op::Removed, a[i]));
                i += 1;
            }
        }
    }
    out.extend(old[old.len() - suffix..].iter().map(|t| (Op::Same, *t)));
    out
}

/// One side of the comparison: its unchanged words and its own changes, marked.
fn side(steps: &[(Op, &str)], own: Op, tag: &str, said: &str) -> String {
    let mine: Vec<&(Op, &str)> = steps
        .iter()
        .filter(|(op, _)| *op == Op::Same || *op == own)
        .collect();
    let mut html = String::new();
    let mut open = false;
    for (i, (op, text)) in mine.iter().enumerate() {
        // Spacing between two changed words belongs to the change: one mark, not several.
        let joins = open
            && text.chars().all(char::is_whitespace)
            && mine.get(i + 1).is_some_and(|(next, _)| *next == own);
        let marked = *op == own || joins;
        if marked && !open {
            html.push_str(&format!(
                "<{tag}><span class=\"nhsuk-u-visually-hidden\">{said}: </span>"
            ));
        } else if !marked && open {
            html.push_str(&format!("</{tag}>"));
        }
        open = marked;
        html.push_str(&esc(text));
    }
    if open {
        html.push_str(&format!("</{tag}>"));
    }
    html
}

/// Compare `old` with `new` word by word.
pub fn words(old: &str, new: &str) -> Marked {
    let (a, b) = (tokens(old), tokens(new));
    let steps = steps(&a, &b);
    Marked {
        before: side(&steps, Op::Removed, "del", "removed"),
        after: side(&steps, Op::Added, "ins", "added"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEL: &str = "<del><span class=\"nhsuk-u-visually-hidden\">removed: </span>";
    const INS: &str = "<ins><span class=\"nhsuk-u-visually-hidden\">added: </span>";

    #[test]
    fn only_the_changed_words_are_marked() {
        let m = words(
            "Trustee of the Riverside Trust",
            "Chair of the Riverside Trust",
        );
        assert_eq!(
            m.before,
            format!("{DEL}Trustee</del> of the Riverside Trust")
        );
        assert_eq!(m.after, format!("{INS}Chair</ins> of the Riverside Trust"));
    }

    #[test]
    fn added_words_at_the_end_and_an_unchanged_text() {
        let m = words("Director", "Director (unpaid)");
        assert_eq!(m.before, "Director");
        assert_eq!(m.after, format!("Director{INS} (unpaid)</ins>"));
        let same = words("No change", "No change");
        assert_eq!(
            (same.before.as_str(), same.after.as_str()),
            ("No change", "No change")
        );
    }

    #[test]
    fn both_sides_are_escaped() {
        let m = words("a <b>", "a <script>alert(1)</script>");
        assert!(m.before.contains("&lt;b&gt;"), "{}", m.before);
        assert!(m.after.contains("&lt;script&gt;"), "{}", m.after);
        assert!(!m.after.contains("<script"), "{}", m.after);
    }

    #[test]
    fn each_side_keeps_its_own_text() {
        let (old, new) = ("one two three four", "zero two four five");
        let m = words(old, new);
        let strip = |html: &str| {
            html.replace(DEL, "")
                .replace(INS, "")
                .replace("</del>", "")
                .replace("</ins>", "")
        };
        assert_eq!(strip(&m.before), old);
        assert_eq!(strip(&m.after), new);
        assert!(m.before.contains(&format!("{DEL}one</del>")));
        let spaced = words(
            "Does not vote on contracts",
            "Leaves the room for contracts",
        );
        assert_eq!(
            spaced.before,
            format!("{DEL}Does not vote on</del> contracts")
        );
        assert_eq!(
            spaced.after,
            format!("{INS}Leaves the room for</ins> contracts")
        );
        assert!(m.after.ends_with("five</ins>"), "{}", m.after);
    }
}
