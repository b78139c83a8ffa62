//! Organisations (a CCG, an ICB, a trust) and their per-organisation settings, whose
//! defaults are the numbers of NHS England's guidance (DOMAIN.md).

use super::validation::{is_slug, FieldErrors, Input};
use serde::{Deserialize, Serialize};

/// An organisation's slug: lower-case letters, digits and single hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OrgSlug(String);

impl OrgSlug {
    pub fn parse(s: &str) -> Result<OrgSlug, String> {
        if is_slug(s) {
            Ok(OrgSlug(s.to_owned()))
        } else {
            Err(format!(
                "{s:?} is not a valid slug: use lower-case letters, digits and single hyphens"
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Rules an organisation may make stricter than the defaults. Money in pence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrgSettings {
    /// A new interest must be declared within this many days of arising.
    pub declare_within_days: i64,
    /// Ended interests stay on the public register this many months.
    pub publish_ended_months: u32,
    /// Everyone confirms their entries at least this often.
    pub confirm_every_months: u32,
    /// Gifts from suppliers or contractors worth this or less may be accepted undeclared.
    pub supplier_gift_max_pence: i64,
    /// Other gifts worth less than this need not be declared.
    pub other_gift_declare_from_pence: i64,
    /// Hospitality worth less than this need not be declared.
    pub hospitality_declare_from_pence: i64,
    /// Hospitality worth more than this needs a senior manager's approval in advance.
    pub hospitality_approval_over_pence: i64,
    /// A person added this many days ago or fewer is not yet due their first annual
    /// confirmation. Left out of the stored settings when it is the default, so the
    /// payloads of organisations made before it existed read the same.
    #[serde(skip_serializing_if = "is_default_grace")]
    pub confirm_grace_days: u32,
}

/// The grace period before a new person's first confirmation is due, by default.
pub const DEFAULT_CONFIRM_GRACE_DAYS: u32 = 28;

fn is_default_grace(days: &u32) -> bool {
    *days == DEFAULT_CONFIRM_GRACE_DAYS
}

impl Default for OrgSettings {
    fn default() -> Self {
        OrgSettings {
            declare_within_days: 28,
            publish_ended_months: 6,
            confirm_every_months: 12,
            supplier_gift_max_pence: 600,
            other_gift_declare_from_pence: 5000,
            hospitality_declare_from_pence: 2500,
            hospitality_approval_over_pence: 7500,
            confirm_grace_days: DEFAULT_CONFIRM_GRACE_DAYS,
        }
    }
}

impl OrgSettings {
    /// Settings must be at least as strict as the guidance allows to be sensible.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::default();
        if !(1..=28).contains(&self.declare_within_days) {
            e.add("declare_within_days", "must be between 1 and 28 days");
        }
        if !(6..=120).contains(&self.publish_ended_months) {
            e.add("publish_ended_months", "must be between 6 and 120 months");
        }
        if !(1..=12).contains(&self.confirm_every_months) {
            e.add("confirm_every_months", "must be between 1 and 12 months");
        }
        if self.confirm_grace_days > 90 {
            e.add("confirm_grace_days", "must be between 0 and 90 days");
        }
        for (name, v) in [
            ("supplier_gift_max_pence", self.supplier_gift_max_pence),
            (
                "other_gift_declare_from_pence",
                self.other_gift_declare_from_pence,
            ),
            (
                "hospitality_declare_from_pence",
                self.hospitality_declare_from_pence,
            ),
            (
                "hospitality_approval_over_pence",
                self.hospitality_approval_over_pence,
            ),
        ] {
            if v < 0 {
                e.add(name, "must not be negative");
            }
        }
        if self.hospitality_approval_over_pence < self.hospitality_declare_from_pence {
            e.add(
                "hospitality_approval_over_pence",
                "must not be below hospitality_declare_from_pence",
            );
        }
        e.into_result(())
    }
}

/// A validated new organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrg {
    pub slug: OrgSlug,
    pub name: String,
}

impl NewOrg {
    pub fn parse(input: &Input) -> Result<NewOrg, FieldErrors> {
        let mut p = input.parser();
        let slug = p.text("slug", 60);
        let name = p.text("name", 200);
        let slug = slug.and_then(|s| match OrgSlug::parse(&s) {
            Ok(s) => Some(s),
            Err(msg) => {
                p.error("slug", msg);
                None
            }
        });
        p.finish()?;
        Ok(NewOrg {
            slug: slug.expect("checked"),
            name: name.expect("checked"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_guidance_numbers_and_valid() {
        let s = OrgSettings::default();
        assert_eq!(s.declare_within_days, 28);
        assert_eq!(s.supplier_gift_max_pence, 600);
        assert_eq!(s.other_gift_declare_from_pence, 5000);
        assert_eq!(s.hospitality_declare_from_pence, 2500);
        assert_eq!(s.hospitality_approval_over_pence, 7500);
        s.validate().unwrap();
    }

    #[test]
    fn lax_settings_are_refused() {
        let s = OrgSettings {
            declare_within_days: 60,
            publish_ended_months: 1,
            ..Default::default()
        };
        let e = s.validate().unwrap_err();
        assert!(e.0.contains_key("declare_within_days"));
        assert!(e.0.contains_key("publish_ended_months"));
    }

    #[test]
    fn partial_settings_fill_in_defaults() {
        let s: OrgSettings = serde_json::from_str(r#"{"declare_within_days": 14}"#).unwrap();
        assert_eq!(s.declare_within_days, 14);
        assert_eq!(s.publish_ended_months, 6);
    }

    #[test]
    fn slugs_are_checked() {
        assert!(OrgSlug::parse("northshire-ccg").is_ok());
        assert!(OrgSlug::parse("Northshire CCG").is_err());
        let e = NewOrg::parse(&Input::from_json(serde_json::json!({"slug": "Bad Slug"})).unwrap())
            .unwrap_err();
        assert!(e.0.contains_key("slug") && e.0.contains_key("name"));
    }
}
