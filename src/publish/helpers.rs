//! The template helpers the site's and the web app's handlebars share: a count with its
//! noun (`{{counted n "declaration" "declarations"}}` → "1 declaration"), worded by
//! `domain::words` so that pages and messages agree.

use crate::domain::words;
use handlebars::{handlebars_helper, Handlebars};

handlebars_helper!(counted: |n: u64, one: str, many: str| {
    words::count(usize::try_from(n).unwrap_or(usize::MAX), one, many)
});

/// Register the shared helpers on `hb`.
pub fn register(hb: &mut Handlebars<'_>) {
    hb.register_helper("counted", Box::new(counted));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn count_takes_the_singular_for_one() {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        register(&mut hb);
        let t = r#"{{counted n "declaration" "declarations"}}"#;
        for (n, said) in [
            (0, "0 declarations"),
            (1, "1 declaration"),
            (7, "7 declarations"),
        ] {
            assert_eq!(hb.render_template(t, &json!({ "n": n })).unwrap(), said);
        }
    }
}
