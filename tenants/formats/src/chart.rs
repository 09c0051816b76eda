//! Bar charts for the PDF: horizontal bars, stacked when a chart has several series, with a
//! legend and each bar's total printed after it. The figures a chart draws are also in the
//! document's sheets (its text equivalent, and what the spreadsheet formats carry).

/// How a chart's values print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueFormat {
    /// A count.
    Count,
    /// Integer cents, printed as euros.
    Cents,
    /// Basis points, printed as a percentage; the scale is fixed at 100 %.
    BasisPoints,
}

impl ValueFormat {
    pub fn print(self, v: i64) -> String {
        match self {
            ValueFormat::Count => {
                let sign = if v < 0 { "-" } else { "" };
                format!("{sign}{}", group(v.unsigned_abs()))
            }
            ValueFormat::Cents => {
                let sign = if v < 0 { "-" } else { "" };
                let a = v.unsigned_abs();
                format!("{sign}{},{:02} €", group(a / 100), a % 100)
            }
            ValueFormat::BasisPoints => {
                let sign = if v < 0 { "-" } else { "" };
                let tenths = (v.unsigned_abs() + 5) / 10;
                format!("{sign}{},{} %", tenths / 10, tenths % 10)
            }
        }
    }
}

/// French digit grouping with a narrow no-break space (`12 345`).
pub fn group(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// One bar: a label and one value per series (negative values draw as zero).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub values: Vec<i64>,
}

/// A series colour, from the State design system (DSFR).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    BlueFrance,
    RedMarianne,
    Green,
    Orange,
    LightBlue,
    Grey,
}

impl Tone {
    /// The colours of series without a tone of their own, in order.
    pub const PALETTE: [Tone; 6] = [
        Tone::BlueFrance,
        Tone::RedMarianne,
        Tone::Green,
        Tone::Orange,
        Tone::LightBlue,
        Tone::Grey,
    ];

    pub fn rgb(self) -> (u8, u8, u8) {
        match self {
            Tone::BlueFrance => (0, 0, 145),
            Tone::RedMarianne => (225, 0, 15),
            Tone::Green => (24, 117, 60),
            Tone::Orange => (179, 64, 0),
            Tone::LightBlue => (106, 106, 244),
            Tone::Grey => (102, 102, 102),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    pub title: String,
    /// The legend: one name per series, in stacking order.
    pub series: Vec<String>,
    pub bars: Vec<Bar>,
    pub format: ValueFormat,
    /// One colour per series where the colour means something (green for what is done, red
    /// for what is not); empty for the palette's order.
    pub tones: Vec<Tone>,
}

impl Chart {
    /// The colour of series `i`: its tone, else the palette's.
    pub fn tone(&self, i: usize) -> Tone {
        self.tones
            .get(i)
            .copied()
            .unwrap_or(Tone::PALETTE[i % Tone::PALETTE.len()])
    }

    /// The largest bar total (at least 1), or 100 % for percentages: the scale's end.
    pub(crate) fn scale(&self) -> i64 {
        match self.format {
            ValueFormat::BasisPoints => 10_000,
            _ => self
                .bars
                .iter()
                .map(|b| b.values.iter().map(|v| (*v).max(0)).sum::<i64>())
                .max()
                .unwrap_or(0)
                .max(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_print_the_french_way() {
        assert_eq!(
            ValueFormat::Count.print(1_234_567),
            "1\u{202f}234\u{202f}567"
        );
        assert_eq!(ValueFormat::Cents.print(123_456), "1\u{202f}234,56 €");
        assert_eq!(ValueFormat::Cents.print(-5), "-0,05 €");
        assert_eq!(ValueFormat::BasisPoints.print(6_667), "66,7 %");
        assert_eq!(ValueFormat::BasisPoints.print(4_375), "43,8 %");
    }

    #[test]
    fn scale_is_the_longest_stack() {
        let c = Chart {
            title: "t".into(),
            series: vec!["a".into(), "b".into()],
            bars: vec![
                Bar {
                    label: "x".into(),
                    values: vec![3, 4],
                },
                Bar {
                    label: "y".into(),
                    values: vec![10, -5],
                },
            ],
            format: ValueFormat::Count,
            tones: Vec::new(),
        };
        assert_eq!(c.scale(), 10);
    }
}
