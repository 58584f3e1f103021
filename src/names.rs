//! How the engine's enums are written: one table per enum gives the text a policy writes, the
//! JSON contract uses (serde's `snake_case`, held equal by tests) and messages show.

/// `enum_names! { Billing { Subscription => "subscription", ... } }` gives the enum
/// `ALL`, `NAMES`, `as_str()`, `from_name()` and `From<Enum> for &'static str`.
macro_rules! enum_names {
    ($($kind:ident { $($variant:ident => $text:literal),* $(,)? })*) => {
        $(
            impl $kind {
                /// Every value, in declaration order.
                pub const ALL: &'static [$kind] = &[$($kind::$variant),*];
                /// How each value of [`Self::ALL`] is written.
                pub const NAMES: &'static [&'static str] = &[$($text),*];

                /// How the value is written: in a policy, in the JSON contract and in messages.
                pub fn as_str(self) -> &'static str {
                    match self {
                        $($kind::$variant => $text,)*
                    }
                }

                /// The value written `name`.
                pub fn from_name(name: &str) -> Option<$kind> {
                    match name {
                        $($text => Some($kind::$variant),)*
                        _ => None,
                    }
                }
            }

            impl From<$kind> for &'static str {
                fn from(value: $kind) -> &'static str {
                    value.as_str()
                }
            }
        )*
    };
}

pub(crate) use enum_names;
