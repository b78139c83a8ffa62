//! Paging of the web app's lists: `?page=N`, [`PER_PAGE`] rows a page, and the NHS.UK
//! pagination nav (the public site's `pagination.hbs`) whose links keep the list's
//! filters. A page past the end is a 404 page; a page that is not a number, a 400 page.

use super::PageError;
use serde_json::{json, Value};

/// Rows on a page of an admin list.
pub const PER_PAGE: usize = 50;

/// The query of a list whose only parameter is its page.
#[derive(serde::Deserialize)]
pub struct PageQuery {
    pub page: Option<String>,
}

/// The page asked for: absent or empty means the first; anything but a whole number
/// from 1 up is refused.
pub fn page_number(raw: Option<&str>) -> Result<usize, PageError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(1),
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| PageError::BadRequest(format!("page {s:?} is not a page number"))),
    }
}

/// Page `n` of `rows` and the nav to the others, whose links are `base` with `filters`
/// (empty values left out) and the page number. An empty list has one, empty, page.
pub fn paginate<T>(
    rows: Vec<T>,
    n: usize,
    base: &str,
    filters: &[(&str, &str)],
) -> Result<(Vec<T>, Value), PageError> {
    let total = rows.len().div_ceil(PER_PAGE).max(1);
    if n > total {
        return Err(PageError::NotFound(format!("page {n}")));
    }
    let href = |k: usize| {
        let mut q: Vec<(&str, String)> = filters
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (*k, (*v).to_owned()))
            .collect();
        if k > 1 {
            q.push(("page", k.to_string()));
        }
        match serde_urlencoded::to_string(&q) {
            Ok(s) if !s.is_empty() => format!("{base}?{s}"),
            _ => base.to_owned(),
        }
    };
    let link = |k: usize| json!({"href": href(k), "number": k, "current": k == n});
    let nav = json!({
        "show": total > 1,
        "previous": (n > 1).then(|| link(n - 1)),
        "next": (n < total).then(|| link(n + 1)),
        "pages": (1..=total).map(link).collect::<Vec<_>>(),
        "number": n, "total": total,
    });
    let page = rows
        .into_iter()
        .skip((n - 1) * PER_PAGE)
        .take(PER_PAGE)
        .collect();
    Ok((page, nav))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_are_whole_numbers_from_one() {
        assert_eq!(page_number(None).unwrap(), 1);
        assert_eq!(page_number(Some("")).unwrap(), 1);
        assert_eq!(page_number(Some("3")).unwrap(), 3);
        for bad in ["0", "-1", "abc", "1.5", "99999999999999999999999"] {
            assert!(
                matches!(page_number(Some(bad)), Err(PageError::BadRequest(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn fifty_rows_a_page_and_nothing_past_the_end() {
        let rows: Vec<usize> = (0..101).collect();
        let (p1, nav) = paginate(rows.clone(), 1, "/l", &[]).unwrap();
        assert_eq!(p1.len(), 50);
        assert_eq!(nav["total"], 3);
        assert!(nav["previous"].is_null());
        assert_eq!(nav["next"]["href"], "/l?page=2");
        let (p3, _) = paginate(rows.clone(), 3, "/l", &[]).unwrap();
        assert_eq!(p3, vec![100]);
        assert!(matches!(
            paginate(rows, 4, "/l", &[]),
            Err(PageError::NotFound(_))
        ));
        let (empty, nav) = paginate(Vec::<usize>::new(), 1, "/l", &[]).unwrap();
        assert!(empty.is_empty());
        assert_eq!(nav["show"], false);
        assert!(paginate(Vec::<usize>::new(), 2, "/l", &[]).is_err());
    }

    #[test]
    fn links_keep_the_filters() {
        let rows: Vec<usize> = (0..60).collect();
        let (_, nav) = paginate(rows, 2, "/l", &[("person", "a b"), ("state", "")]).unwrap();
        assert_eq!(nav["previous"]["href"], "/l?person=a+b");
        assert_eq!(nav["pages"][1]["href"], "/l?person=a+b&page=2");
        assert_eq!(nav["pages"][1]["current"], true);
    }
}
