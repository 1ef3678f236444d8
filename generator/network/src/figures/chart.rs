//! Horizontal bar charts as inline SVG, drawn at build time: readable
//! without JavaScript, each bar labelled with its name and its number in
//! text, one dark colour on white (the numbers, not the colour, carry the
//! information), a title and a description for screen readers.

use maillage_model::markup::escape;

use super::Hidden;

/// One bar: its label and its value, or why the value is not published.
pub(crate) struct Bar {
    pub label: String,
    pub value: Result<u32, Hidden>,
}

/// The theme's brand colour for bars (8:1 on white) and its ink for text.
const BAR_COLOUR: &str = "#0b5566";
const TEXT_COLOUR: &str = "#1c2226";
const WIDTH: u32 = 480;
const LABEL_WIDTH: u32 = 190;
const VALUE_WIDTH: u32 = 80;
const ROW: u32 = 24;
const BAR: u32 = 16;

/// The chart `id` (unique on its page) of `bars`.
pub(crate) fn bars(id: &str, title: &str, description: &str, bars: &[Bar]) -> String {
    let max = bars
        .iter()
        .filter_map(|b| b.value.ok())
        .max()
        .unwrap_or(0)
        .max(1);
    let span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    let height = ROW * bars.len().max(1) as u32;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" \
         role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"sans-serif\" font-size=\"13\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(description)
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = ROW * i as u32;
        let text_y = y + ROW / 2 + 4;
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{text_y}\" text-anchor=\"end\" fill=\"{TEXT_COLOUR}\">{}</text>",
            LABEL_WIDTH - 8,
            escape(&bar.label)
        ));
        let (width, value) = match bar.value {
            Ok(v) => (span * v / max, v.to_string()),
            Err(hidden) => (0, hidden.text()),
        };
        if width > 0 {
            svg.push_str(&format!(
                "<rect x=\"{LABEL_WIDTH}\" y=\"{}\" width=\"{width}\" height=\"{BAR}\" fill=\"{BAR_COLOUR}\"/>",
                y + (ROW - BAR) / 2
            ));
        }
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{text_y}\" fill=\"{TEXT_COLOUR}\">{value}</text>",
            LABEL_WIDTH + width + 6
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bar_has_its_label_and_number_in_text() {
        let svg = bars(
            "c",
            "Personnes <par> mois",
            "Le tableau suit.",
            &[
                Bar {
                    label: "octobre 2026".into(),
                    value: Ok(12),
                },
                Bar {
                    label: "novembre 2026".into(),
                    value: Err(Hidden::Small),
                },
                Bar {
                    label: "décembre 2026".into(),
                    value: Err(Hidden::Complement),
                },
            ],
        );
        assert!(svg.contains("<title id=\"c-title\">Personnes &lt;par&gt; mois</title>"));
        assert!(svg.contains(">octobre 2026</text>"));
        assert!(svg.contains(">12</text>"));
        assert!(svg.contains(">moins de 5</text>"));
        assert!(svg.contains(">masqué</text>"));
        // A hidden bar draws nothing.
        assert_eq!(svg.matches("<rect").count(), 1);
    }
}
