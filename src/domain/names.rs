//! When two people's names are the same or so alike that one is likely a duplicate of
//! the other: "dr olivia grant" and "Olivia Gránt" are one person. Case, titles,
//! punctuation and accents are folded, and a single slip of the keyboard is forgiven.

/// Titles and honorifics a name may carry that do not tell two people apart.
const TITLES: [&str; 14] = [
    "dr",
    "doctor",
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "prof",
    "professor",
    "sir",
    "dame",
    "rev",
    "revd",
    "cllr",
];

/// A letter without its accent (Latin-1 and Latin Extended-A), lower case; other
/// characters unchanged.
fn unaccented(c: char) -> &'static str {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'þ' => "th",
        _ => "",
    }
}

/// The words of a name as compared: lower case, accents, punctuation and titles gone.
pub fn name_words(name: &str) -> Vec<String> {
    let mut folded = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        match unaccented(c) {
            "" if c.is_alphanumeric() => folded.push(c),
            "" if c == '\'' || c == '’' || c == '.' => {}
            "" => folded.push(' '),
            plain => folded.push_str(plain),
        }
    }
    folded
        .split_whitespace()
        .filter(|w| !TITLES.contains(w))
        .map(str::to_owned)
        .collect()
}

/// The name as compared, one string: "dr. Olivia  Gránt" gives "olivia grant".
pub fn name_key(name: &str) -> String {
    name_words(name).join(" ")
}

/// Whether two names are the same or very similar: equal once folded, the same words
/// in another order, or one slip apart (a letter added, left out or mistyped) in a
/// name long enough for that to be a slip rather than another name.
pub fn similar(a: &str, b: &str) -> bool {
    let (ka, kb) = (name_key(a), name_key(b));
    if ka.is_empty() || kb.is_empty() {
        return false;
    }
    if ka == kb {
        return true;
    }
    let sorted = |k: &str| {
        let mut w: Vec<&str> = k.split(' ').collect();
        w.sort_unstable();
        w.join(" ")
    };
    if sorted(&ka) == sorted(&kb) {
        return true;
    }
    // Numbers tell records apart ("Person 01", "Person 02"): no slip is forgiven in them.
    let worded = |k: &str| !k.chars().any(|c| c.is_ascii_digit());
    worded(&ka)
        && worded(&kb)
        && ka.chars().count().min(kb.chars().count()) >= 8
        && within_one_edit(&ka, &kb)
}

/// Whether `a` becomes `b` by at most one letter inserted, deleted or replaced.
fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(&long).take_while(|(x, y)| x == y).count();
    let rest = |skip_short: usize| short[prefix + skip_short..] == long[prefix + 1..];
    if short.len() == long.len() {
        prefix == short.len() || rest(1)
    } else {
        rest(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_case_punctuation_and_accents_are_folded() {
        assert_eq!(name_key("Dr. Olivia  GRÁNT"), "olivia grant");
        assert_eq!(name_key("Prof Seán O’Brien-Smith"), "sean obrien smith");
        assert!(similar("dr olivia grant", "Olivia Gránt"));
        assert!(similar("Mrs Zoë Ådams", "zoe adams"));
    }

    #[test]
    fn a_slip_or_another_order_is_similar_but_another_name_is_not() {
        assert!(similar("Olivia Grant", "Olivia Grnt"));
        assert!(similar("Olivia Grant", "Olivia Granth"));
        assert!(similar("Grant Olivia", "Olivia Grant"));
        assert!(!similar("Olivia Grant", "Oliver Grant"));
        assert!(!similar("Olivia Grant", "Olivia Brandt"));
        assert!(
            !similar("Ann Lee", "Ann Law"),
            "short names need an exact match"
        );
        assert!(!similar("Dr", "Dr"), "a title alone names nobody");
        assert!(!similar("Dr Person 01", "Dr Person 02"));
    }
}
