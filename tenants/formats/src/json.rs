//! JSON: `{ "title", "subtitle", "generated_at", "sheets": [ { "name", "columns", "rows" } ] }`,
//! pretty-printed, each row an object whose keys follow the column order, values typed:
//! numbers, booleans, ISO 8601 strings for dates (`YYYY-MM-DD`) and date-times (UTC, `Z`),
//! `null` for empty cells. The order is kept by serializing in column order, so it does not
//! depend on serde_json's `preserve_order` feature.

use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::text::{iso_date, iso_datetime};
use crate::{Cell, Column, Document, Sheet};

/// Why the JSON file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    #[error("JSON serialization failed: {0}")]
    Serialize(#[from] serde_json::Error),
}

pub(crate) fn render(doc: &Document) -> Result<Vec<u8>, JsonError> {
    let mut bytes = serde_json::to_vec_pretty(&DocOut(doc))?;
    bytes.push(b'\n');
    Ok(bytes)
}

struct DocOut<'a>(&'a Document);
struct SheetsOut<'a>(&'a [Sheet]);
struct SheetOut<'a>(&'a Sheet);
struct ColumnsOut<'a>(&'a [Column]);
struct RowsOut<'a>(&'a Sheet);
struct RowOut<'a>(&'a [Column], &'a [Cell]);
struct CellOut<'a>(&'a Cell);

impl Serialize for DocOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Document", 4)?;
        st.serialize_field("title", &self.0.title)?;
        st.serialize_field("subtitle", &self.0.subtitle)?;
        st.serialize_field("generated_at", &iso_datetime(self.0.generated_at))?;
        st.serialize_field("sheets", &SheetsOut(&self.0.sheets))?;
        st.end()
    }
}

impl Serialize for SheetsOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for sheet in self.0 {
            seq.serialize_element(&SheetOut(sheet))?;
        }
        seq.end()
    }
}

impl Serialize for SheetOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Sheet", 3)?;
        st.serialize_field("name", &self.0.name)?;
        st.serialize_field("columns", &ColumnsOut(&self.0.columns))?;
        st.serialize_field("rows", &RowsOut(self.0))?;
        st.end()
    }
}

impl Serialize for ColumnsOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for column in self.0 {
            seq.serialize_element(&ColumnOut(column))?;
        }
        seq.end()
    }
}

struct ColumnOut<'a>(&'a Column);
impl Serialize for ColumnOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Column", 2)?;
        st.serialize_field("key", &self.0.key)?;
        st.serialize_field("label", &self.0.label)?;
        st.end()
    }
}

impl Serialize for RowsOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.rows.len()))?;
        for row in &self.0.rows {
            seq.serialize_element(&RowOut(&self.0.columns, row))?;
        }
        seq.end()
    }
}

impl Serialize for RowOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (column, cell) in self.0.iter().zip(self.1) {
            map.serialize_entry(&column.key, &CellOut(cell))?;
        }
        map.end()
    }
}

impl Serialize for CellOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Cell::Text(v) => s.serialize_str(v),
            Cell::Int(n) => s.serialize_i64(*n),
            Cell::Date(d) => s.serialize_str(&iso_date(*d)),
            Cell::DateTime(at) => s.serialize_str(&iso_datetime(*at)),
            Cell::Bool(b) => s.serialize_bool(*b),
            Cell::Empty => s.serialize_none(),
        }
    }
}
