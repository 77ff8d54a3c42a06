//! Choice inputs as enums: [`choice!`](crate::choice) declares an enum and the words that
//! name its variants once, and [`Choice`] is what it implements.

/// A choice input as an enum: its variants and the words that name them, declared once.
/// The spec lists the words from it (`Kind::Choice { values: Mode::WORDS }`) and the demo
/// reads the enum (`p.pick::<Mode>("mode")`), so a word nobody handles is a compile error (a
/// non-exhaustive `match`), never a silent default.
///
/// ```text
/// crate::choice! {
///     /// How a thread waits.
///     pub enum Mode { Mutex = "mutex", Spin = "spin" }
/// }
/// ```
///
/// (Not a doctest: doctests cannot be built for the threaded wasm target, whose tests
/// `npm test` also runs; `tests::choice_enums_name_their_words_once` checks this example.)
#[macro_export]
macro_rules! choice {
    ($(#[$m:meta])* $vis:vis enum $name:ident { $($(#[$vm:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
        #[cfg_attr(test, derive(ts_rs::TS))]
        // After the derives, so that a `#[cfg_attr(test, ts(export_to = "<id>/"))]` given
        // here follows the derive that introduces it.
        $(#[$m])*
        $vis enum $name { $($(#[$vm])* #[serde(rename = $word)] $variant),+ }
        impl $crate::params::Choice for $name {
            const WORDS: &'static [&'static str] = &[$($word),+];
            const ALL: &'static [Self] = &[$(Self::$variant),+];
        }
        impl $name {
            /// The word that names it in a URL.
            #[allow(dead_code)]
            pub fn word(self) -> &'static str {
                match self { $(Self::$variant => $word),+ }
            }
        }
    };
}

/// What [`choice!`] implements: the words of a choice input and its variants, in one order.
pub trait Choice: Copy + 'static {
    const WORDS: &'static [&'static str];
    const ALL: &'static [Self];
}

crate::choice! {
    /// An input that is on or off (`Kind::Choice { values: Switch::WORDS }`, read with
    /// [`Params::on`](super::Params::on)).
    pub enum Switch { Off = "off", On = "on" }
}
