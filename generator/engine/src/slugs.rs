//! Zola's slug rules: `on` transliterates to ASCII and lower-cases (the
//! `slug` crate, as Zola does), `safe` only strips characters that are
//! invalid in paths, `off` keeps the text as is.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlugStrategy {
    On,
    Safe,
    Off,
}

/// A path or taxonomy slug.
pub fn slugify_with(text: &str, strategy: SlugStrategy) -> String {
    match strategy {
        SlugStrategy::On => slug::slugify(text),
        SlugStrategy::Safe => text
            .chars()
            .filter(|c| !"<>:/|?*#\\\"()[]\t\r\n".contains(*c))
            .collect::<String>()
            .trim()
            .to_string(),
        SlugStrategy::Off => text.to_string(),
    }
}

/// A heading anchor.
pub fn slugify_anchor(text: &str, strategy: SlugStrategy) -> String {
    match strategy {
        SlugStrategy::On => slug::slugify(text),
        SlugStrategy::Safe | SlugStrategy::Off => {
            text.replace(|c: char| c.is_ascii_whitespace(), "_")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterates_french() {
        assert_eq!(
            slugify_with("Île-de-France", SlugStrategy::On),
            "ile-de-france"
        );
        assert_eq!(
            slugify_with("Provence-Alpes-Côte d'Azur", SlugStrategy::On),
            "provence-alpes-cote-d-azur"
        );
        assert_eq!(
            slugify_with("Rencontre MOOC", SlugStrategy::On),
            "rencontre-mooc"
        );
        assert_eq!(slugify_with("a/b?", SlugStrategy::Safe), "ab");
        assert_eq!(slugify_anchor("Le jour J", SlugStrategy::Off), "Le_jour_J");
    }
}
