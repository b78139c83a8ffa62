//! The enumerations of the domain that are stored, sent and posted as a code
//! ("non_financial_personal") and shown as a label ("Non-financial personal"), declared
//! once each by [`coded!`]: the variants in order, each with its code and label.

/// `coded!(Type { Variant => "code", "Label"; … })` gives `Type` (a fieldless enum whose
/// variants are declared in the same order) `ALL`, `CODES`, `code`, `parse` and, where
/// each variant has one, `label`.
macro_rules! coded {
    ($name:ident { $($variant:ident => $code:literal, $label:literal);+ $(;)? }) => {
        $crate::domain::codes::coded!($name { $($variant => $code);+ });
        impl $name {
            /// The label pages show.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }
        }
    };
    ($name:ident { $($variant:ident => $code:literal);+ $(;)? }) => {
        impl $name {
            /// Every variant, in order.
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];
            /// Each variant's code, in the same order.
            pub const CODES: [&'static str; [$($code),+].len()] = [$($code),+];

            /// The code it is stored, sent and posted as.
            pub fn code(self) -> &'static str {
                Self::CODES[self as usize]
            }
            /// The variant a code names, if any.
            pub fn parse(s: &str) -> Option<$name> {
                Self::CODES
                    .iter()
                    .position(|c| *c == s)
                    .map(|i| Self::ALL[i])
            }
        }
    };
}
pub(crate) use coded;

#[cfg(test)]
mod tests {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Colour {
        Red,
        DarkBlue,
    }
    coded!(Colour { Red => "red", "Red"; DarkBlue => "dark_blue", "Dark blue" });

    #[test]
    fn a_code_names_its_variant_and_label_in_order() {
        assert_eq!(Colour::parse("dark_blue"), Some(Colour::DarkBlue));
        assert_eq!(Colour::DarkBlue.code(), "dark_blue");
        assert_eq!(Colour::DarkBlue.label(), "Dark blue");
        assert_eq!(Colour::parse("Red"), None);
        assert_eq!(Colour::ALL.map(Colour::code), Colour::CODES);
    }
}
