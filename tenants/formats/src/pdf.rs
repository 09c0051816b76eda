//! PDF through `krilla`: A4 landscape, PDF/A-2b (archival), tagged (accessible: headings,
//! paragraphs, tables with their header cells, in reading order; running heads, footers and
//! rules are artifacts), Liberation Sans embedded (subset), title block with the generation
//! time in Europe/Paris, "page N / M" in the footer. Each sheet starts on a new page:
//! - a sheet of up to ten columns is one table whose header row is repeated on every page,
//!   text wrapped inside cells (a row taller than a page continues on the next);
//! - a wider sheet (the register's 23 columns) is one block a record: its name as a heading,
//!   then each column's label beside its value, wrapped at word boundaries on the page's width,
//!   so that no word is cut and an auditor reads a record as a form.
//!
//! Text is laid out here, glyph by glyph (no shaping: one glyph per character, which is right
//! for Latin text); every glyph carries its source text so the PDF's text can be extracted and
//! searched. Characters the font lacks (it covers Latin, Greek and Cyrillic) print as `?`.

use std::collections::HashMap;
use std::ops::Range;

use chrono::{DateTime, Datelike, Timelike, Utc};
use krilla::color::rgb;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, SpanTag, TableHeaderScope, Tag, TagGroup,
    TagKind, TagTree,
};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Document as PdfDocument, SerializeSettings};
use skrifa::instance::{LocationRef, Size};
use skrifa::MetadataProvider;

use crate::text::{iso_date, local, yes_no};
use crate::{Cell, Chart, Document, Sheet};

/// Why the PDF file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("embedded font {0} could not be read")]
    Font(&'static str),
    #[error("PDF configuration rejected: {0}")]
    Configuration(String),
    #[error("PDF could not be written: {0}")]
    Write(String),
}

static REGULAR: &[u8] = include_bytes!("../fonts/LiberationSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/LiberationSans-Bold.ttf");

const PAGE_W: f32 = 841.89; // A4 landscape, points
const PAGE_H: f32 = 595.28;
const MARGIN: f32 = 28.35; // 1 cm
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
const FOOTER_SIZE: f32 = 8.0;
/// Lowest y a table line may reach; the footer lives below.
const BOTTOM: f32 = PAGE_H - MARGIN - FOOTER_SIZE - 8.0;
const PAD_X: f32 = 2.5;
const PAD_Y: f32 = 2.0;
/// Cap on a column's minimum width (in ems of the table font), so one long word cannot starve
/// the other columns.
const MIN_WIDTH_CAP_EM: f32 = 11.0;

/// A font with the metrics needed for layout.
struct Face {
    font: Font,
    charmap: skrifa::charmap::Charmap<'static>,
    metrics: skrifa::metrics::GlyphMetrics<'static>,
    upem: f32,
    cache: HashMap<char, (u32, f32)>,
    fallback: (u32, f32),
}

impl Face {
    fn load(data: &'static [u8], name: &'static str) -> Result<Face, PdfError> {
        let font_ref = skrifa::FontRef::new(data).map_err(|_| PdfError::Font(name))?;
        let font = Font::new(data.into(), 0).ok_or(PdfError::Font(name))?;
        let charmap = font_ref.charmap();
        let metrics = font_ref.glyph_metrics(Size::unscaled(), LocationRef::default());
        let upem = f32::from(
            font_ref
                .metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        let mut face = Face {
            font,
            charmap,
            metrics,
            upem,
            cache: HashMap::new(),
            fallback: (0, 0.5),
        };
        face.fallback = face.lookup('?').ok_or(PdfError::Font(name))?;
        Ok(face)
    }

    fn lookup(&self, c: char) -> Option<(u32, f32)> {
        let gid = self.charmap.map(c)?;
        let advance = self.metrics.advance_width(gid).unwrap_or(0.0) / self.upem;
        Some((gid.to_u32(), advance))
    }

    /// Glyph id and advance (in em) for `c`, with `?` for what the font lacks.
    fn glyph(&mut self, c: char) -> (u32, f32) {
        if let Some(hit) = self.cache.get(&c) {
            return *hit;
        }
        let found = match self.lookup(c) {
            Some((0, _)) | None if c.is_whitespace() => self.lookup(' ').unwrap_or(self.fallback),
            Some((0, _)) | None => self.fallback,
            Some(hit) => hit,
        };
        self.cache.insert(c, found);
        found
    }

    fn width(&mut self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.glyph(c).1).sum::<f32>() * size
    }
}

struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    fn face(&mut self, bold: bool) -> &mut Face {
        if bold {
            &mut self.bold
        } else {
            &mut self.regular
        }
    }
}

/// Sheets wider than this many columns are laid out one block a record.
const RECORD_LAYOUT_ABOVE: usize = 10;

/// Where a piece of text belongs in the document's logical structure (tagged PDF): a node of
/// the structure, or an artifact (a running head, a repeated table header, a continuation).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mark {
    Artifact,
    Node(usize),
}

/// The role of a structure node.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Role {
    Heading(u16),
    Paragraph,
    Section,
    Table,
    Row,
    /// A header cell, of its column or (`true`) of its row.
    HeaderCell(bool),
    Cell,
}

struct StructNode {
    role: Role,
    parent: Option<usize>,
}

/// A drawing operation on one page, laid out before drawing so the page count is known.
enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        bold: bool,
        grey: bool,
        text: String,
        mark: Mark,
    },
    Fill {
        rect: Rect,
    },
    Frame {
        rect: Rect,
    },
    /// A chart's bar segment or legend swatch.
    Paint {
        rect: Rect,
        color: (u8, u8, u8),
    },
}

pub(crate) fn render(doc: &Document) -> Result<Vec<u8>, PdfError> {
    render_with(doc, &PdfOptions::default())
}

/// A file carried inside the PDF as an associated file of the document (PDF/A-3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfAttachment {
    /// The file's name inside the PDF (`factur-x.xml`).
    pub name: String,
    /// Its media type (`text/xml`).
    pub media_type: String,
    pub description: String,
    pub bytes: Vec<u8>,
    /// How it relates to the document.
    pub relationship: PdfRelationship,
}

/// The `/AFRelationship` of an attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdfRelationship {
    /// The document's content was derived from the file (Factur-X's EN 16931 profile).
    Data,
    /// The file is another representation of the document.
    Alternative,
    /// The document was made from the file.
    Source,
}

/// What changes from the default PDF (PDF/A-2b, each sheet on its own page).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PdfOptions {
    /// Sheets follow one another on the same page (a short document such as an invoice).
    pub continuous: bool,
    /// Files to embed; with any, the PDF is PDF/A-3b (PDF/A-2 forbids arbitrary files).
    pub attachments: Vec<PdfAttachment>,
    /// `rdf:Description` elements added to the XMP metadata (with the PDF/A extension schema
    /// that declares their properties), such as Factur-X's `fx:` properties.
    pub xmp_descriptions: Option<String>,
}

pub(crate) fn render_with(doc: &Document, options: &PdfOptions) -> Result<Vec<u8>, PdfError> {
    let mut fonts = Fonts {
        regular: Face::load(REGULAR, "Liberation Sans")?,
        bold: Face::load(BOLD, "Liberation Sans Bold")?,
    };
    let (pages, nodes) = layout(doc, &mut fonts, options.continuous);
    let pdf = draw(doc, &mut fonts, &pages, &nodes, options)?;
    match &options.xmp_descriptions {
        Some(extra) => crate::pdf_xmp::add_descriptions(&pdf, extra),
        None => Ok(pdf),
    }
}

// ---------------------------------------------------------------------------------------------
// Layout

struct Layout<'f> {
    fonts: &'f mut Fonts,
    pages: Vec<Vec<Op>>,
    y: f32,
    nodes: Vec<StructNode>,
}

impl Layout<'_> {
    /// A new node of the logical structure, after its earlier siblings.
    fn node(&mut self, role: Role, parent: Option<usize>) -> Mark {
        self.nodes.push(StructNode { role, parent });
        Mark::Node(self.nodes.len() - 1)
    }

    fn node_id(mark: Mark) -> Option<usize> {
        match mark {
            Mark::Node(n) => Some(n),
            Mark::Artifact => None,
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self, running_title: &str) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
        // Running head: the document title, small and grey.
        let size = 8.0;
        let text = ellipsize(self.fonts.face(false), running_title, size, CONTENT_W);
        self.ops().push(Op::Text {
            x: MARGIN,
            baseline: MARGIN + size,
            size,
            bold: false,
            grey: true,
            text,
            mark: Mark::Artifact,
        });
        self.y = MARGIN + size * 1.2 + 8.0;
    }

    /// A block of wrapped text across the page width.
    fn paragraph(
        &mut self,
        text: &str,
        size: f32,
        bold: bool,
        grey: bool,
        space_after: f32,
        mark: Mark,
    ) {
        let lines = wrap(self.fonts.face(bold), text, size, CONTENT_W);
        for line in lines {
            let baseline = self.y + size;
            self.ops().push(Op::Text {
                x: MARGIN,
                baseline,
                size,
                bold,
                grey,
                text: line,
                mark,
            });
            self.y += size * 1.25;
        }
        self.y += space_after;
    }
}

fn layout(doc: &Document, fonts: &mut Fonts, continuous: bool) -> (Vec<Vec<Op>>, Vec<StructNode>) {
    let mut l = Layout {
        fonts,
        pages: vec![Vec::new()],
        y: MARGIN,
        nodes: Vec::new(),
    };
    let title = l.node(Role::Heading(1), None);
    l.paragraph(&clean(&doc.title), 16.0, true, false, 4.0, title);
    if let Some(subtitle) = &doc.subtitle {
        let p = l.node(Role::Paragraph, None);
        l.paragraph(&clean(subtitle), 11.0, false, false, 2.0, p);
    }
    let p = l.node(Role::Paragraph, None);
    l.paragraph(&generated_line(doc.generated_at), 9.0, false, true, 10.0, p);

    for c in &doc.charts {
        chart(&mut l, doc, c);
    }
    for (i, sheet) in doc.sheets.iter().enumerate() {
        if i > 0 {
            if continuous && l.y + 60.0 < BOTTOM {
                l.y += 12.0;
            } else {
                l.new_page(&doc.title);
            }
        }
        if sheet.columns.len() > RECORD_LAYOUT_ABOVE {
            records(&mut l, doc, sheet);
        } else {
            table(&mut l, doc, sheet);
        }
    }
    (l.pages, l.nodes)
}

fn generated_line(at: DateTime<Utc>) -> String {
    let wall = local(at);
    format!(
        "Généré le {} à {} (heure de Paris)",
        wall.format("%d/%m/%Y"),
        wall.format("%H:%M")
    )
}

/// The text of a cell as printed.
fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => clean(s),
        Cell::Int(n) => n.to_string(),
        Cell::Date(d) => {
            if (1..=9999).contains(&d.year()) {
                d.format("%d/%m/%Y").to_string()
            } else {
                iso_date(*d)
            }
        }
        Cell::DateTime(at) => local(*at).format("%d/%m/%Y %H:%M").to_string(),
        Cell::Bool(b) => yes_no(*b).to_owned(),
        Cell::Empty => String::new(),
    }
}

/// Line ends to `\n`, tabs to spaces, other control characters dropped.
fn clean(s: &str) -> String {
    let s = s.replace("\r\n", "\n");
    s.chars()
        .filter_map(|c| match c {
            '\r' | '\n' => Some('\n'),
            '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

struct TableStyle {
    size: f32,
    line_h: f32,
    widths: Vec<f32>,
}

fn table(l: &mut Layout<'_>, doc: &Document, sheet: &Sheet) {
    let ncols = sheet.columns.len();
    let size = match ncols {
        0..=8 => 8.0,
        9..=14 => 7.0,
        _ => 6.0,
    };
    let texts: Vec<Vec<String>> = sheet
        .rows
        .iter()
        .map(|row| row.iter().map(cell_text).collect())
        .collect();
    let labels: Vec<String> = sheet.columns.iter().map(|c| clean(&c.label)).collect();
    let widths = column_widths(l.fonts, &labels, &texts, &sheet.rows, size);
    let style = TableStyle {
        size,
        line_h: size * 1.2,
        widths,
    };
    let right: Vec<bool> = (0..ncols)
        .map(|c| {
            sheet
                .rows
                .iter()
                .all(|r| matches!(r[c], Cell::Int(_) | Cell::Empty))
                && !sheet.rows.is_empty()
        })
        .collect();

    let header_lines: Vec<Vec<String>> = labels
        .iter()
        .zip(&style.widths)
        .map(|(t, w)| wrap(l.fonts.face(true), t, size, w - 2.0 * PAD_X))
        .collect();
    let header_h = row_height(&header_lines, &style);

    // Sheet heading; keep it with the header row and at least one line.
    let heading_size = 12.0;
    if l.y + heading_size * 1.25 + header_h + style.line_h + 2.0 * PAD_Y > BOTTOM {
        l.new_page(&doc.title);
    }
    let heading = l.node(Role::Heading(2), None);
    l.paragraph(&clean(&sheet.name), heading_size, true, false, 4.0, heading);
    let table_node = l.node(Role::Table, None);
    let header_row = l.node(Role::Row, Layout::node_id(table_node));
    let header_marks: Vec<Mark> = (0..ncols)
        .map(|_| l.node(Role::HeaderCell(false), Layout::node_id(header_row)))
        .collect();
    // Repeated on later pages, the header row is an artifact: read once.
    let repeated = vec![Mark::Artifact; ncols];
    let bold_header = vec![true; ncols];
    let plain = vec![false; ncols];
    draw_row(
        l,
        &header_lines,
        0..usize::MAX,
        &style,
        true,
        &bold_header,
        &plain,
        &header_marks,
    );

    let fresh_page_lines = ((BOTTOM - (MARGIN + 8.0 * 1.2 + 8.0) - header_h - 2.0 * PAD_Y)
        / style.line_h)
        .floor()
        .max(1.0) as usize;
    for row in &texts {
        let lines: Vec<Vec<String>> = row
            .iter()
            .zip(&style.widths)
            .map(|(t, w)| wrap(l.fonts.face(false), t, size, w - 2.0 * PAD_X))
            .collect();
        let total = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let row_node = l.node(Role::Row, Layout::node_id(table_node));
        let cell_marks: Vec<Mark> = (0..ncols)
            .map(|_| l.node(Role::Cell, Layout::node_id(row_node)))
            .collect();
        let mut start = 0;
        let mut just_broke = false;
        while start < total {
            let fit = ((BOTTOM - l.y - 2.0 * PAD_Y) / style.line_h)
                .floor()
                .max(0.0) as usize;
            let remaining = total - start;
            // Start the row on a new page rather than split it, unless it is taller than a page.
            let split = fit < remaining && remaining <= fresh_page_lines && start == 0;
            if (fit == 0 || split) && !just_broke {
                l.new_page(&doc.title);
                draw_row(
                    l,
                    &header_lines,
                    0..usize::MAX,
                    &style,
                    true,
                    &bold_header,
                    &plain,
                    &repeated,
                );
                just_broke = true;
                continue;
            }
            // On a fresh page at least one line goes, whatever the header took.
            let take = fit.max(1).min(remaining);
            just_broke = false;
            draw_row(
                l,
                &lines,
                start..start + take,
                &style,
                false,
                &plain,
                &right,
                &cell_marks,
            );
            start += take;
        }
    }
    if sheet.rows.is_empty() {
        let p = l.node(Role::Paragraph, None);
        l.paragraph("Aucune ligne.", size, false, true, 0.0, p);
    }
}

/// A wide sheet, one block a record: the record's name as a heading (the `name` column, else
/// the first), then a two-column table of every other column's label and value, the values
/// wrapped at word boundaries across most of the page's width. A record taller than the rest
/// of the page continues on the next, under its name followed by « (suite) ».
fn records(l: &mut Layout<'_>, doc: &Document, sheet: &Sheet) {
    const SIZE: f32 = 8.5;
    const HEADING: f32 = 10.5;
    let title_col = sheet
        .columns
        .iter()
        .position(|c| c.key == "name")
        .unwrap_or(0);
    let labels: Vec<String> = sheet.columns.iter().map(|c| clean(&c.label)).collect();
    let label_w = labels
        .iter()
        .enumerate()
        .filter(|(c, _)| *c != title_col)
        .map(|(_, t)| l.fonts.bold.width(t, SIZE))
        .fold(0.0, f32::max)
        .clamp(40.0, CONTENT_W * 0.3)
        + 2.0 * PAD_X
        + 1.0;
    let style = TableStyle {
        size: SIZE,
        line_h: SIZE * 1.25,
        widths: vec![label_w, CONTENT_W - label_w],
    };
    let heading_size = 12.0;
    if l.y + heading_size * 1.25 + HEADING * 1.25 + style.line_h + 2.0 * PAD_Y > BOTTOM {
        l.new_page(&doc.title);
    }
    let heading = l.node(Role::Heading(2), None);
    l.paragraph(&clean(&sheet.name), heading_size, true, false, 6.0, heading);
    if sheet.rows.is_empty() {
        let p = l.node(Role::Paragraph, None);
        l.paragraph("Aucune ligne.", SIZE, false, true, 0.0, p);
        return;
    }
    let fresh_page_lines = ((BOTTOM - (MARGIN + 8.0 * 1.2 + 8.0) - HEADING * 1.25 - 2.0 * PAD_Y)
        / style.line_h)
        .floor()
        .max(1.0) as usize;
    for (i, row) in sheet.rows.iter().enumerate() {
        let mut title = cell_text(&row[title_col]).replace('\n', " ");
        if title.trim().is_empty() {
            title = format!("{} {}", labels[title_col], i + 1);
        }
        let section = l.node(Role::Section, None);
        let heading_lines = wrap(l.fonts.face(true), &title, HEADING, CONTENT_W).len() as f32;
        // The name stays with the record's first line.
        if l.y + heading_lines * HEADING * 1.25 + 2.0 + style.line_h + 2.0 * PAD_Y > BOTTOM {
            l.new_page(&doc.title);
        }
        let h = l.node(Role::Heading(3), Layout::node_id(section));
        l.paragraph(&title, HEADING, true, false, 2.0, h);
        let table_node = l.node(Role::Table, Layout::node_id(section));
        for (c, cell) in row.iter().enumerate() {
            if c == title_col {
                continue;
            }
            let value = cell_text(cell);
            let value = if value.trim().is_empty() {
                "—".to_owned()
            } else {
                value
            };
            let lines = vec![
                wrap(l.fonts.face(true), &labels[c], SIZE, label_w - 2.0 * PAD_X),
                wrap(
                    l.fonts.face(false),
                    &value,
                    SIZE,
                    style.widths[1] - 2.0 * PAD_X,
                ),
            ];
            let row_node = l.node(Role::Row, Layout::node_id(table_node));
            let marks = [
                l.node(Role::HeaderCell(true), Layout::node_id(row_node)),
                l.node(Role::Cell, Layout::node_id(row_node)),
            ];
            let total = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let mut start = 0;
            let mut just_broke = false;
            while start < total {
                let fit = ((BOTTOM - l.y - 2.0 * PAD_Y) / style.line_h)
                    .floor()
                    .max(0.0) as usize;
                let remaining = total - start;
                let split = fit < remaining && remaining <= fresh_page_lines && start == 0;
                if (fit == 0 || split) && !just_broke {
                    l.new_page(&doc.title);
                    l.paragraph(
                        &format!("{title} (suite)"),
                        HEADING,
                        true,
                        true,
                        2.0,
                        Mark::Artifact,
                    );
                    just_broke = true;
                    continue;
                }
                let take = fit.max(1).min(remaining);
                just_broke = false;
                draw_row(
                    l,
                    &lines,
                    start..start + take,
                    &style,
                    false,
                    &[true, false],
                    &[false, false],
                    &marks,
                );
                start += take;
            }
        }
        l.y += 8.0;
    }
}

/// A horizontal bar chart: title, legend, one bar per row (labels on the left, totals after
/// the bars); it continues on the next page when it does not fit.
fn chart(l: &mut Layout<'_>, doc: &Document, c: &Chart) {
    const SIZE: f32 = 8.0;
    const BAR_H: f32 = 10.0;
    const GAP: f32 = 3.0;
    const TITLE: f32 = 12.0;
    let scale = c.scale() as f32;
    let totals: Vec<String> = c
        .bars
        .iter()
        .map(|b| c.format.print(b.values.iter().map(|v| (*v).max(0)).sum()))
        .collect();
    let label_w = c
        .bars
        .iter()
        .map(|b| l.fonts.regular.width(&clean(&b.label), SIZE))
        .fold(0.0, f32::max)
        .min(CONTENT_W * 0.28);
    let value_w = totals
        .iter()
        .map(|t| l.fonts.regular.width(t, SIZE))
        .fold(0.0, f32::max)
        + 6.0;
    let area_x = MARGIN + label_w + 6.0;
    let area_w = (CONTENT_W - label_w - 6.0 - value_w).max(10.0);

    // The first head is the chart's heading and legend; its repetitions on later pages are
    // artifacts.
    let head = |l: &mut Layout<'_>, title: &str, first: bool| {
        let mark = if first {
            l.node(Role::Heading(2), None)
        } else {
            Mark::Artifact
        };
        l.paragraph(&clean(title), TITLE, true, false, 3.0, mark);
        if c.series.len() > 1 {
            let mut x = MARGIN;
            for (i, name) in c.series.iter().enumerate() {
                let name = clean(name);
                let w = l.fonts.regular.width(&name, SIZE);
                if x + 11.0 + w > PAGE_W - MARGIN && x > MARGIN {
                    x = MARGIN;
                    l.y += SIZE * 1.5;
                }
                if let Some(rect) = Rect::from_xywh(x, l.y + 1.0, 8.0, 8.0) {
                    l.ops().push(Op::Paint {
                        rect,
                        color: c.tone(i).rgb(),
                    });
                }
                let text = ellipsize(l.fonts.face(false), &name, SIZE, CONTENT_W - 11.0);
                let baseline = l.y + SIZE;
                let mark = if first {
                    l.node(Role::Paragraph, None)
                } else {
                    Mark::Artifact
                };
                l.ops().push(Op::Text {
                    x: x + 11.0,
                    baseline,
                    size: SIZE,
                    bold: false,
                    grey: false,
                    text,
                    mark,
                });
                x += 11.0 + w + 14.0;
            }
            l.y += SIZE * 1.5 + 3.0;
        }
    };
    let head_h = TITLE * 1.25
        + 3.0
        + if c.series.len() > 1 {
            SIZE * 1.5 + 3.0
        } else {
            0.0
        };
    if l.y + head_h + BAR_H > BOTTOM {
        l.new_page(&doc.title);
    }
    head(l, &c.title, true);
    for (b, total) in c.bars.iter().zip(&totals) {
        if l.y + BAR_H > BOTTOM {
            l.new_page(&doc.title);
            head(l, &format!("{} (suite)", c.title), false);
        }
        // One paragraph a bar: its label and its total.
        let mark = l.node(Role::Paragraph, None);
        let label = ellipsize(l.fonts.face(false), &clean(&b.label), SIZE, label_w);
        let baseline = l.y + BAR_H - 2.0;
        l.ops().push(Op::Text {
            x: MARGIN,
            baseline,
            size: SIZE,
            bold: false,
            grey: false,
            text: label,
            mark,
        });
        let mut x = area_x;
        for (i, v) in b.values.iter().enumerate() {
            let w = area_w * ((*v).max(0) as f32 / scale).min(1.0);
            if let Some(rect) = Rect::from_xywh(x, l.y, w, BAR_H) {
                l.ops().push(Op::Paint {
                    rect,
                    color: c.tone(i).rgb(),
                });
            }
            x += w;
        }
        l.ops().push(Op::Text {
            x: x.min(area_x + area_w) + 3.0,
            baseline,
            size: SIZE,
            bold: false,
            grey: false,
            text: total.clone(),
            mark,
        });
        l.y += BAR_H + GAP;
    }
    if c.bars.is_empty() {
        let p = l.node(Role::Paragraph, None);
        l.paragraph("Aucune donnée.", SIZE, false, true, 0.0, p);
    }
    l.y += 10.0;
}

fn row_height(lines: &[Vec<String>], style: &TableStyle) -> f32 {
    lines.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * style.line_h + 2.0 * PAD_Y
}

/// Emit lines `range` of every cell of a row at the current y, with frames (shaded for a
/// header row and a row's header cell); `bold` and `right` by column, each cell's text marked
/// with `marks`.
#[allow(clippy::too_many_arguments)]
fn draw_row(
    l: &mut Layout<'_>,
    cells: &[Vec<String>],
    range: Range<usize>,
    style: &TableStyle,
    header: bool,
    bold: &[bool],
    right: &[bool],
    marks: &[Mark],
) {
    let n = cells
        .iter()
        .map(|c| c.len().min(range.end).saturating_sub(range.start))
        .max()
        .unwrap_or(0)
        .max(1);
    let height = n as f32 * style.line_h + 2.0 * PAD_Y;
    let top = l.y;
    let mut x = MARGIN;
    for (c, lines) in cells.iter().enumerate() {
        let w = style.widths[c];
        if let Some(rect) = Rect::from_xywh(x, top, w, height) {
            // Header cells, of the row or of the column, are shaded.
            if header || bold.get(c).copied().unwrap_or(false) {
                l.ops().push(Op::Fill { rect });
            }
            l.ops().push(Op::Frame { rect });
        }
        let end = lines.len().min(range.end);
        let is_bold = bold.get(c).copied().unwrap_or(header);
        let mark = marks.get(c).copied().unwrap_or(Mark::Artifact);
        for (i, line) in lines.iter().enumerate().take(end).skip(range.start) {
            let baseline = top + PAD_Y + (i - range.start) as f32 * style.line_h + style.size;
            let tx = if right.get(c).copied().unwrap_or(false) {
                x + w - PAD_X - l.fonts.face(is_bold).width(line, style.size)
            } else {
                x + PAD_X
            };
            l.ops().push(Op::Text {
                x: tx,
                baseline,
                size: style.size,
                bold: is_bold,
                grey: false,
                text: line.clone(),
                mark,
            });
        }
        x += w;
    }
    l.y = top + height;
}

/// Auto table layout: each column between its narrowest acceptable width (longest word, or the
/// whole value for numbers and dates) and its longest line, shared in proportion, filling the
/// page width. When even the narrowest widths do not fit, numbers and dates keep theirs and the
/// text columns shrink (their words are then cut).
fn column_widths(
    fonts: &mut Fonts,
    labels: &[String],
    rows: &[Vec<String>],
    sheet_rows: &[Vec<Cell>],
    size: f32,
) -> Vec<f32> {
    let n = labels.len();
    let cap = MIN_WIDTH_CAP_EM * size;
    let mut min = vec![0f32; n];
    let mut max = vec![0f32; n];
    let mut floor = vec![0f32; n];
    for (c, label) in labels.iter().enumerate() {
        for line in label.split('\n') {
            max[c] = max[c].max(fonts.bold.width(line, size));
            for word in line.split(' ') {
                min[c] = min[c].max(narrowest(&mut fonts.bold, word, size).min(cap));
            }
        }
    }
    for (row, cells) in rows.iter().zip(sheet_rows) {
        for (c, (text, cell)) in row.iter().zip(cells).enumerate() {
            let face = &mut fonts.regular;
            if !matches!(cell, Cell::Text(_)) {
                // Numbers, dates, yes/no: never wrapped.
                let w = face.width(text, size);
                floor[c] = floor[c].max(w);
                max[c] = max[c].max(w);
                continue;
            }
            for line in text.split('\n') {
                max[c] = max[c].max(face.width(line, size));
                for word in line.split(' ') {
                    min[c] = min[c].max(narrowest(face, word, size).min(cap));
                }
            }
        }
    }
    let pad = 2.0 * PAD_X + 1.0;
    let floor: Vec<f32> = floor.iter().map(|w| w + pad).collect();
    let min: Vec<f32> = min
        .iter()
        .zip(&floor)
        .map(|(w, f)| (w + pad).max(*f))
        .collect();
    let max: Vec<f32> = max
        .iter()
        .zip(&min)
        .map(|(w, m)| (w + pad).max(*m))
        .collect();
    let sum = |v: &[f32]| v.iter().sum::<f32>();
    let (sum_floor, sum_min, sum_max) = (sum(&floor), sum(&min), sum(&max));
    if sum_max <= CONTENT_W {
        max.iter()
            .map(|w| w + (CONTENT_W - sum_max) * w / sum_max)
            .collect()
    } else if sum_min <= CONTENT_W {
        let k = (CONTENT_W - sum_min) / (sum_max - sum_min);
        min.iter()
            .zip(&max)
            .map(|(lo, hi)| lo + (hi - lo) * k)
            .collect()
    } else if sum_floor < CONTENT_W {
        let k = (CONTENT_W - sum_floor) / (sum_min - sum_floor);
        floor
            .iter()
            .zip(&min)
            .map(|(f, m)| f + (m - f) * k)
            .collect()
    } else {
        min.iter().map(|w| w * CONTENT_W / sum_min).collect()
    }
}

/// The widest piece a word can be cut into at its hyphens and slashes.
fn narrowest(face: &mut Face, word: &str, size: f32) -> f32 {
    segments(word)
        .into_iter()
        .map(|s| face.width(s, size))
        .fold(0.0, f32::max)
}

/// A word cut after each `-` and `/` ("Saint-Étienne" gives "Saint-", "Étienne").
fn segments(word: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in word.char_indices() {
        if matches!(c, '-' | '/') {
            let end = i + c.len_utf8();
            out.push(&word[start..end]);
            start = end;
        }
    }
    if start < word.len() {
        out.push(&word[start..]);
    }
    out
}

/// Greedy word wrap to `width`; `\n` breaks lines; a word wider than the line is cut after its
/// hyphens or slashes, and a piece still too wide between characters.
fn wrap(face: &mut Face, text: &str, size: f32, width: f32) -> Vec<String> {
    let space = face.width(" ", size);
    let mut out = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut line_w = 0f32;
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let ww = face.width(word, size);
            if !line.is_empty() && line_w + space + ww <= width {
                line.push(' ');
                line.push_str(word);
                line_w += space + ww;
                continue;
            }
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
                line_w = 0.0;
            }
            if ww <= width {
                line = word.to_owned();
                line_w = ww;
                continue;
            }
            for piece in segments(word) {
                let pw = face.width(piece, size);
                if line_w + pw <= width {
                    line.push_str(piece);
                    line_w += pw;
                    continue;
                }
                if !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                if pw <= width {
                    line.push_str(piece);
                    line_w = pw;
                    continue;
                }
                // Cut between characters, at least one character a line.
                for ch in piece.chars() {
                    let cw = face.glyph(ch).1 * size;
                    if !line.is_empty() && line_w + cw > width {
                        out.push(std::mem::take(&mut line));
                        line_w = 0.0;
                    }
                    line.push(ch);
                    line_w += cw;
                }
            }
        }
        out.push(line);
    }
    out
}

fn ellipsize(face: &mut Face, text: &str, size: f32, width: f32) -> String {
    let text = clean(text).replace('\n', " ");
    if face.width(&text, size) <= width {
        return text;
    }
    let ell = face.width("…", size);
    let mut out = String::new();
    let mut w = 0.0;
    for c in text.chars() {
        let cw = face.glyph(c).1 * size;
        if w + cw + ell > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

// ---------------------------------------------------------------------------------------------
// Drawing

fn draw(
    doc: &Document,
    fonts: &mut Fonts,
    pages: &[Vec<Op>],
    nodes: &[StructNode],
    options: &PdfOptions,
) -> Result<Vec<u8>, PdfError> {
    let archival = if options.attachments.is_empty() {
        Archival::A2_B
    } else {
        Archival::A3_B
    };
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(archival)
        .finish()
        .map_err(|e| PdfError::Configuration(format!("{e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        enable_tagging: true,
        ..SerializeSettings::default()
    };
    // The marked content of each structure node, in drawing (reading) order.
    let mut leaves: Vec<Vec<Identifier>> = vec![Vec::new(); nodes.len()];
    let artifact = |kind: ArtifactType| ContentTag::Artifact(Artifact::with_kind(kind));
    let mut pdf = PdfDocument::new_with(settings);

    let mut metadata = Metadata::new()
        .title(doc.title.clone())
        .language("fr-FR".to_owned())
        .creator("Mutualis".to_owned())
        .producer(format!(
            "Mutualis formats {} (krilla)",
            env!("CARGO_PKG_VERSION")
        ))
        .creation_date(pdf_date(doc.generated_at));
    if let Some(subtitle) = &doc.subtitle {
        metadata = metadata.description(subtitle.clone());
    }
    pdf.set_metadata(metadata);
    for a in &options.attachments {
        let mime_type = MimeType::new(&a.media_type)
            .ok_or_else(|| PdfError::Configuration(format!("media type {}", a.media_type)))?;
        let file = EmbeddedFile {
            path: a.name.clone(),
            mime_type: Some(mime_type),
            description: Some(a.description.clone()),
            association_kind: match a.relationship {
                PdfRelationship::Data => AssociationKind::Data,
                PdfRelationship::Alternative => AssociationKind::Alternative,
                PdfRelationship::Source => AssociationKind::Source,
            },
            data: a.bytes.clone().into(),
            modification_date: Some(pdf_date(doc.generated_at)),
            compress: Some(true),
            location: None,
        };
        pdf.embed_file(file)
            .ok_or_else(|| PdfError::Configuration(format!("two attachments named {}", a.name)))?;
    }

    let total = pages.len();
    let black = rgb::Color::new(0, 0, 0);
    let grey = rgb::Color::new(90, 90, 90);
    let fill = |color: rgb::Color| Fill {
        paint: color.into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    };
    for (index, ops) in pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
            .ok_or_else(|| PdfError::Write("page size".into()))?;
        let mut page = pdf.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            // Text of the structure is marked for its node; everything else is an artifact.
            match op {
                Op::Text {
                    mark: Mark::Node(n),
                    ..
                } => {
                    let id = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
                    if let Some(l) = leaves.get_mut(*n) {
                        l.push(id);
                    }
                }
                Op::Text { .. } => {
                    surface.start_tagged(artifact(ArtifactType::PaginationOther));
                }
                _ => {
                    surface.start_tagged(artifact(ArtifactType::Layout));
                }
            }
            match op {
                Op::Fill { rect } => {
                    surface.set_stroke(None);
                    surface.set_fill(Some(fill(rgb::Color::new(230, 230, 230))));
                    draw_rect(&mut surface, *rect);
                }
                Op::Paint {
                    rect,
                    color: (r, g, b),
                } => {
                    surface.set_stroke(None);
                    surface.set_fill(Some(fill(rgb::Color::new(*r, *g, *b))));
                    draw_rect(&mut surface, *rect);
                }
                Op::Frame { rect } => {
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        paint: rgb::Color::new(150, 150, 150).into(),
                        width: 0.4,
                        ..Stroke::default()
                    }));
                    draw_rect(&mut surface, *rect);
                }
                Op::Text {
                    x,
                    baseline,
                    size,
                    bold,
                    grey: is_grey,
                    text,
                    ..
                } => {
                    surface.set_stroke(None);
                    surface.set_fill(Some(fill(if *is_grey { grey } else { black })));
                    draw_text(&mut surface, fonts.face(*bold), *x, *baseline, *size, text);
                }
            }
            surface.end_tagged();
        }
        // Footer: title on the left, page number on the right.
        surface.start_tagged(artifact(ArtifactType::Footer));
        surface.set_stroke(None);
        surface.set_fill(Some(fill(grey)));
        let baseline = PAGE_H - MARGIN;
        let number = format!("page {} / {}", index + 1, total);
        let number_w = fonts.regular.width(&number, FOOTER_SIZE);
        let title = ellipsize(
            &mut fonts.regular,
            &doc.title,
            FOOTER_SIZE,
            CONTENT_W - number_w - 20.0,
        );
        draw_text(
            &mut surface,
            &mut fonts.regular,
            MARGIN,
            baseline,
            FOOTER_SIZE,
            &title,
        );
        draw_text(
            &mut surface,
            &mut fonts.regular,
            PAGE_W - MARGIN - number_w,
            baseline,
            FOOTER_SIZE,
            &number,
        );
        surface.end_tagged();
        surface.finish();
        page.finish();
    }
    pdf.set_tag_tree(tag_tree(nodes, leaves));
    pdf.finish().map_err(|e| PdfError::Write(format!("{e:?}")))
}

/// The logical structure: each node with its child nodes, or else its marked content.
fn tag_tree(nodes: &[StructNode], mut leaves: Vec<Vec<Identifier>>) -> TagTree {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut roots = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        match n.parent {
            Some(p) => children[p].push(i),
            None => roots.push(i),
        }
    }
    fn group(
        i: usize,
        nodes: &[StructNode],
        children: &[Vec<usize>],
        leaves: &mut [Vec<Identifier>],
    ) -> TagGroup {
        let kind: TagKind = match nodes[i].role {
            Role::Heading(level) => Tag::Hn(
                std::num::NonZeroU16::new(level).unwrap_or(std::num::NonZeroU16::MIN),
                None,
            )
            .into(),
            Role::Paragraph => Tag::P.into(),
            Role::Section => Tag::Section.into(),
            Role::Table => Tag::Table.into(),
            Role::Row => Tag::TR.into(),
            Role::HeaderCell(of_row) => Tag::TH(if of_row {
                TableHeaderScope::Row
            } else {
                TableHeaderScope::Column
            })
            .into(),
            Role::Cell => Tag::TD.into(),
        };
        let mut g = TagGroup::new(kind);
        for c in &children[i] {
            g.push(group(*c, nodes, children, leaves));
        }
        for id in std::mem::take(&mut leaves[i]) {
            g.push(id);
        }
        g
    }
    let mut tree = TagTree::new();
    for r in roots {
        tree.push(group(r, nodes, &children, &mut leaves));
    }
    tree
}

fn draw_rect(surface: &mut Surface<'_>, rect: Rect) {
    let mut pb = PathBuilder::new();
    pb.push_rect(rect);
    if let Some(path) = pb.finish() {
        surface.draw_path(&path);
    }
}

fn draw_text(
    surface: &mut Surface<'_>,
    face: &mut Face,
    x: f32,
    baseline: f32,
    size: f32,
    text: &str,
) {
    if text.is_empty() {
        return;
    }
    let glyphs: Vec<KrillaGlyph> = text
        .char_indices()
        .map(|(i, c)| {
            let (gid, advance) = face.glyph(c);
            KrillaGlyph::new(
                GlyphId::new(gid),
                advance,
                0.0,
                0.0,
                0.0,
                i..i + c.len_utf8(),
                None,
            )
        })
        .collect();
    surface.draw_glyphs(
        Point::from_xy(x, baseline),
        &glyphs,
        face.font.clone(),
        text,
        size,
        false,
    );
}

fn pdf_date(at: DateTime<Utc>) -> krilla::metadata::DateTime {
    let year = u16::try_from(at.year().clamp(0, 9999)).unwrap_or(1970);
    krilla::metadata::DateTime::new(year)
        .month(at.month() as u8)
        .day(at.day() as u8)
        .hour(at.hour() as u8)
        .minute(at.minute() as u8)
        .second(at.second().min(59) as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_words_and_long_tokens() {
        let mut face = Face::load(REGULAR, "regular").expect("font");
        let lines = wrap(&mut face, "un deux trois quatre", 10.0, 45.0);
        assert!(lines.len() >= 2, "{lines:?}");
        assert_eq!(lines.join(" "), "un deux trois quatre");
        let long = "x".repeat(200);
        let lines = wrap(&mut face, &long, 10.0, 50.0);
        assert!(lines.len() > 3);
        assert!(lines.iter().all(|l| face.width(l, 10.0) <= 50.0));
        assert_eq!(lines.concat(), long);
        assert_eq!(wrap(&mut face, "a\n\nb", 10.0, 100.0), vec!["a", "", "b"]);
        // Hyphenated names break after a hyphen before anything is cut.
        let lines = wrap(&mut face, "Saint-Étienne-de-Crossey", 10.0, 60.0);
        assert_eq!(lines.concat(), "Saint-Étienne-de-Crossey");
        assert!(
            lines
                .iter()
                .all(|l| l.ends_with('-') || l.ends_with("Crossey")),
            "{lines:?}"
        );
    }

    #[test]
    fn everything_stays_inside_the_page() {
        use crate::{Column, Sheet};
        let long = "https://www.cnil.fr/fr/RGPD-le-registre-des-activites-de-traitement/".repeat(8);
        let columns: Vec<Column> = (0..22)
            .map(|i| Column::new(format!("c{i}"), format!("Colonne numéro {i}")))
            .collect();
        let rows = (0..60)
            .map(|r| {
                (0..22)
                    .map(|c| match c % 4 {
                        0 => Cell::text(format!("{long} {r}")),
                        1 => Cell::Int(i64::MAX - r),
                        2 => {
                            Cell::Date(chrono::NaiveDate::from_ymd_opt(2025, 3, 14).expect("date"))
                        }
                        _ => Cell::text("Données à caractère personnel ; « sensibles » (Art. 9)"),
                    })
                    .collect()
            })
            .collect();
        let doc = Document {
            title: "Titre très long ".repeat(30),
            subtitle: Some("Sous-titre".into()),
            sheets: vec![Sheet {
                name: "Feuille".into(),
                columns,
                rows,
            }],
            generated_at: Utc::now(),
            charts: vec![Chart {
                title: "Graphique ".repeat(5),
                series: (0..9).map(|i| format!("Série numéro {i} {long}")).collect(),
                bars: (0..120)
                    .map(|i| crate::Bar {
                        label: format!("Commune {i} {long}"),
                        values: vec![i, -i, i64::MAX / 1000, 3],
                    })
                    .collect(),
                format: crate::ValueFormat::Cents,
                tones: Vec::new(),
            }],
        };
        let mut fonts = Fonts {
            regular: Face::load(REGULAR, "r").expect("font"),
            bold: Face::load(BOLD, "b").expect("font"),
        };
        let (pages, nodes) = layout(&doc, &mut fonts, false);
        assert!(!nodes.is_empty(), "a logical structure");
        assert!(pages.len() > 3);
        // The 120 bars continue over pages, each continuation titled as such.
        let bars = pages
            .iter()
            .flatten()
            .filter(|op| matches!(op, Op::Paint { rect, .. } if rect.height() > 9.0))
            .count();
        assert!(bars >= 120 * 2, "{bars} bar segments");
        let continued = pages
            .iter()
            .flatten()
            .filter(|op| matches!(op, Op::Text { text, .. } if text.ends_with("(suite)")))
            .count();
        assert!(continued >= 2, "{continued} continuation titles");
        for (p, ops) in pages.iter().enumerate() {
            for op in ops {
                if let Op::Text {
                    x,
                    baseline,
                    size,
                    bold,
                    text,
                    ..
                } = op
                {
                    let w = fonts.face(*bold).width(text, *size);
                    assert!(
                        *x >= MARGIN - 0.01 && x + w <= PAGE_W - MARGIN + 0.01,
                        "page {p}: {text:?} at {x} width {w}"
                    );
                    assert!(
                        *baseline <= BOTTOM + 0.01,
                        "page {p}: {text:?} below the table area ({baseline})"
                    );
                }
                if let Op::Frame { rect } | Op::Paint { rect, .. } = op {
                    assert!(
                        rect.left() >= MARGIN - 0.01 && rect.top() >= MARGIN - 0.01,
                        "page {p}"
                    );
                    assert!(
                        rect.right() <= PAGE_W - MARGIN + 0.01 && rect.bottom() <= BOTTOM + 0.01,
                        "page {p}"
                    );
                }
            }
        }
    }

    #[test]
    fn french_glyphs_exist() {
        let face = Face::load(REGULAR, "regular").expect("font");
        for c in "éèêàçùœŒ€«»’ ".chars() {
            assert!(
                face.lookup(c).is_some_and(|(gid, _)| gid != 0),
                "{c:?} missing"
            );
        }
    }
}
