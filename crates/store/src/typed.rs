//! JSON values as typed Parquet columns, and back: how `metrics.parquet` holds rows whose
//! contents the store does not know.
//!
//! The caller hands the store JSON texts; the store keeps them as columns other tools can query
//! (DuckDB, polars, Spark) without parsing JSON: numbers as `Int64` or `Float64`, texts as
//! strings, arrays as lists, objects as structs. A column's type is the widest its values need
//! over the whole table ([`Kind::widen`]), found before any row group is written, so every
//! group of a file has one schema. Reading gives the same JSON values back: a float that was
//! written reads back to the same bits, and a null field of an object is left out (a missing
//! `Option` is `None` to serde, as a null one is).

use polars_arrow::array::{Array, BooleanArray, ListArray, PrimitiveArray};
use polars_arrow::bitmap::Bitmap;
use polars_arrow::offset::{Offsets, OffsetsBuffer};
use polars_core::prelude::*;
use serde_json::Value;

/// The type of a column, widened over every value it holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) enum Kind {
    /// No value seen yet (written as a string column of nulls).
    #[default]
    Null,
    Bool,
    Int,
    Float,
    Str,
    List(Box<Kind>),
    /// Fields in the order first seen.
    Struct(Vec<(String, Kind)>),
}

impl Kind {
    fn name(&self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "a boolean",
            Kind::Int => "an integer",
            Kind::Float => "a float",
            Kind::Str => "a text",
            Kind::List(_) => "an array",
            Kind::Struct(_) => "an object",
        }
    }

    /// Widens the kind to hold `v` too. Integers widen to floats; any other mix (a text and a
    /// number in one field) is an error naming the path where it is.
    pub(crate) fn widen(&mut self, v: &Value) -> Result<(), String> {
        match v {
            Value::Null => Ok(()),
            Value::Bool(_) => self.leaf(Kind::Bool),
            Value::Number(n) if n.is_f64() || n.as_i64().is_none() => self.leaf(Kind::Float),
            Value::Number(_) => self.leaf(Kind::Int),
            Value::String(_) => self.leaf(Kind::Str),
            Value::Array(xs) => {
                if *self == Kind::Null {
                    *self = Kind::List(Box::default());
                }
                let Kind::List(inner) = self else {
                    return Err(format!("{} and an array", self.name()));
                };
                xs.iter()
                    .try_for_each(|x| inner.widen(x))
                    .map_err(|e| format!("[]: {e}"))
            }
            Value::Object(m) => {
                if *self == Kind::Null {
                    *self = Kind::Struct(Vec::new());
                }
                let Kind::Struct(fields) = self else {
                    return Err(format!("{} and an object", self.name()));
                };
                for (key, x) in m {
                    let at = if let Some(i) = fields.iter().position(|(k, _)| k == key) {
                        i
                    } else {
                        fields.push((key.clone(), Kind::Null));
                        fields.len() - 1
                    };
                    fields[at].1.widen(x).map_err(|e| format!("{key}: {e}"))?;
                }
                Ok(())
            }
        }
    }

    /// Whether no value can widen the kind further: every field and item has a type, and no
    /// object is empty (an empty one may be a map whose keys are still to come).
    pub(crate) fn is_closed(&self) -> bool {
        match self {
            Kind::Null => false,
            Kind::List(inner) => inner.is_closed(),
            Kind::Struct(fields) => !fields.is_empty() && fields.iter().all(|(_, k)| k.is_closed()),
            Kind::Bool | Kind::Int | Kind::Str | Kind::Float => true,
        }
    }

    fn leaf(&mut self, k: Kind) -> Result<(), String> {
        match (&*self, &k) {
            (Kind::Null, _) | (Kind::Int, Kind::Float) => *self = k,
            (a, b) if a == b => {}
            (Kind::Float, Kind::Int) => {}
            (a, b) => return Err(format!("{} and {}", a.name(), b.name())),
        }
        Ok(())
    }
}

/// A column named `name` of `values` (`None` or JSON null where a row has none), typed `kind`.
///
/// # Errors
/// Only from polars, on a shape it refuses (not expected: every part has the column's length).
pub(crate) fn column(name: &str, values: &[Option<&Value>], kind: &Kind) -> PolarsResult<Series> {
    let name = PlSmallStr::from(name);
    let n = values.len();
    Ok(match kind {
        Kind::Null => Series::full_null(name, n, &DataType::String),
        // An object that never had a field (an empty map in every row) has nothing to type.
        Kind::Struct(fields) if fields.is_empty() => Series::full_null(name, n, &DataType::String),
        Kind::Bool => {
            BooleanChunked::from_iter_options(name, values.iter().map(|v| (*v)?.as_bool()))
                .into_series()
        }
        Kind::Int => Int64Chunked::from_iter_options(name, values.iter().map(|v| (*v)?.as_i64()))
            .into_series(),
        Kind::Float => {
            Float64Chunked::from_iter_options(name, values.iter().map(|v| (*v)?.as_f64()))
                .into_series()
        }
        Kind::Str => StringChunked::from_iter_options(name, values.iter().map(|v| (*v)?.as_str()))
            .into_series(),
        Kind::List(inner) => {
            // One child column for the items of every row, cut by offsets: a series per row
            // costs a second per ten thousand rows of a nested list.
            let mut items: Vec<Option<&Value>> = Vec::new();
            let mut lengths = Vec::with_capacity(n);
            let mut valid = Vec::with_capacity(n);
            for v in values {
                if let Some(xs) = v.and_then(Value::as_array) {
                    items.extend(xs.iter().map(Some));
                    lengths.push(xs.len());
                    valid.push(true);
                } else {
                    lengths.push(0);
                    valid.push(false);
                }
            }
            let child = column("item", &items, inner)?.rechunk();
            let child = child.to_arrow(0, CompatLevel::newest());
            let offsets: OffsetsBuffer<i64> =
                Offsets::try_from_lengths(lengths.into_iter())?.into();
            let list = ListArray::<i64>::try_new(
                ListArray::<i64>::default_datatype(child.dtype().clone()),
                offsets,
                child,
                validity(&valid),
            )?;
            Series::from_arrow(name, list.boxed())?
        }
        Kind::Struct(fields) => {
            let cols = fields
                .iter()
                .map(|(key, k)| {
                    let vals: Vec<Option<&Value>> =
                        values.iter().map(|v| v.and_then(|v| v.get(key))).collect();
                    column(key, &vals, k)
                })
                .collect::<PolarsResult<Vec<_>>>()?;
            let valid: Vec<bool> = values
                .iter()
                .map(|v| v.is_some_and(Value::is_object))
                .collect();
            StructChunked::from_series(name, n, cols.iter())?
                .with_outer_validity(validity(&valid))
                .into_series()
        }
    })
}

fn validity(valid: &[bool]) -> Option<Bitmap> {
    valid
        .iter()
        .any(|v| !v)
        .then(|| valid.iter().copied().collect())
}

/// A column made ready to write its rows as JSON text: what [`column`] wrote, read back
/// straight to text. (Through `serde_json::Value`s, reading a store's metrics took twice as
/// long: a value allocated, serialized and freed for every item of every list.)
pub(crate) enum Text {
    Null,
    Bool(BooleanArray),
    Int(PrimitiveArray<i64>),
    Float(PrimitiveArray<f64>),
    Str(StringChunked),
    /// `offsets[i]..offsets[i + 1]` are row `i`'s items in `items`.
    List {
        offsets: Vec<usize>,
        valid: Vec<bool>,
        items: Box<Text>,
    },
    /// Each field with its key written out (`"name":`).
    Struct {
        fields: Vec<(String, Text)>,
        valid: Vec<bool>,
    },
}

impl Text {
    /// # Errors
    /// A column of a type [`column`] does not write (a date, a binary column): the table was
    /// not written by this store.
    pub(crate) fn of(s: &Series) -> PolarsResult<Self> {
        let valid = || -> Vec<bool> { s.is_not_null().iter().map(|v| v == Some(true)).collect() };
        Ok(match s.dtype() {
            DataType::Null => Text::Null,
            DataType::Boolean => Text::Bool(one_chunk(s.bool()?)?),
            dt if dt.is_integer() => Text::Int(one_chunk(s.cast(&DataType::Int64)?.i64()?)?),
            dt if dt.is_float() => Text::Float(one_chunk(s.cast(&DataType::Float64)?.f64()?)?),
            DataType::String => Text::Str(s.str()?.rechunk().into_owned()),
            DataType::List(_) => {
                let ca = s.list()?.rechunk();
                let arr = ca.downcast_iter().next().ok_or_else(
                    || polars_err!(ComputeError: "list column {} has no chunk", s.name()),
                )?;
                let items = Series::from_arrow("item".into(), arr.values().clone())?;
                let offsets = arr
                    .offsets()
                    .as_slice()
                    .iter()
                    .map(|o| usize::try_from(*o).unwrap_or_default())
                    .collect();
                Text::List {
                    offsets,
                    valid: valid(),
                    items: Box::new(Text::of(&items)?),
                }
            }
            DataType::Struct(_) => Text::Struct {
                fields: s
                    .struct_()?
                    .fields_as_series()
                    .iter()
                    .map(|f| Ok((key(f.name()), Text::of(f)?)))
                    .collect::<PolarsResult<_>>()?,
                valid: valid(),
            },
            other => polars_bail!(
                ComputeError: "column {} is of type {other}, which this store does not write",
                s.name()
            ),
        })
    }

    /// The columns of a frame as one object per row.
    pub(crate) fn object<'a>(
        columns: impl Iterator<Item = &'a Series>,
        rows: usize,
    ) -> PolarsResult<Self> {
        Ok(Text::Struct {
            fields: columns
                .map(|c| Ok((key(c.name()), Text::of(c)?)))
                .collect::<PolarsResult<_>>()?,
            valid: vec![true; rows],
        })
    }

    /// Appends row `i` as JSON. Writes nothing and returns false when it is null; a null field
    /// of an object is left out, as if it had no key.
    pub(crate) fn write(&self, i: usize, out: &mut String) -> bool {
        match self {
            Text::Null => false,
            Text::Bool(a) => {
                a.is_valid(i) && {
                    out.push_str(if a.value(i) { "true" } else { "false" });
                    true
                }
            }
            Text::Int(a) => {
                a.is_valid(i) && {
                    out.push_str(itoa::Buffer::new().format(a.value(i)));
                    true
                }
            }
            Text::Float(a) => {
                a.is_valid(i) && a.value(i).is_finite() && {
                    out.push_str(ryu::Buffer::new().format_finite(a.value(i)));
                    true
                }
            }
            Text::Str(ca) => ca.get(i).is_some_and(|t| {
                out.push_str(&serde_json::to_string(t).unwrap_or_default());
                true
            }),
            Text::List {
                offsets,
                valid,
                items,
            } => {
                if !valid[i] {
                    return false;
                }
                out.push('[');
                for j in offsets[i]..offsets[i + 1] {
                    if j > offsets[i] {
                        out.push(',');
                    }
                    if !items.write(j, out) {
                        out.push_str("null");
                    }
                }
                out.push(']');
                true
            }
            Text::Struct { fields, valid } => {
                if !valid[i] {
                    return false;
                }
                out.push('{');
                let mut first = true;
                for (key, f) in fields {
                    let mark = out.len();
                    if !first {
                        out.push(',');
                    }
                    out.push_str(key);
                    if f.write(i, out) {
                        first = false;
                    } else {
                        out.truncate(mark);
                    }
                }
                out.push('}');
                true
            }
        }
    }
}

/// The one arrow array of a column (zero-copy unless it has several chunks).
fn one_chunk<T>(ca: &ChunkedArray<T>) -> PolarsResult<T::Array>
where
    T: PolarsDataType,
    T::Array: Clone,
{
    ca.rechunk()
        .downcast_iter()
        .next()
        .cloned()
        .ok_or_else(|| polars_err!(ComputeError: "column {} has no chunk", ca.name()))
}

/// `"name":`, escaped as JSON.
fn key(name: &str) -> String {
    format!("{}:", serde_json::Value::from(name))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    fn roundtrip(rows: &[Value]) -> Vec<Value> {
        let mut kind = Kind::Null;
        for r in rows {
            kind.widen(r).unwrap();
        }
        let refs: Vec<Option<&Value>> = rows.iter().map(Some).collect();
        let s = column("c", &refs, &kind).unwrap();
        texts(&s)
    }

    /// Each row of `s` read back as JSON (null where it writes nothing).
    fn texts(s: &Series) -> Vec<Value> {
        let t = Text::of(s).unwrap();
        (0..s.len())
            .map(|i| {
                let mut out = String::new();
                if t.write(i, &mut out) {
                    serde_json::from_str(&out).unwrap()
                } else {
                    Value::Null
                }
            })
            .collect()
    }

    #[test]
    fn nested_values_read_back_as_written() {
        let rows = vec![
            json!({"a": 1, "b": [1.5, null, 3.0], "w": {"hr": 140.25, "cv": null}, "m": {"x": "y"},
                   "h": [[1, 2, 3], [4, 5, 6]], "t": true}),
            json!(null),
            json!({"a": 2, "b": [], "w": null, "m": {}, "h": [], "f": 0.1 + 0.2}),
            json!({"a": -3, "m": {"z": "q"}, "h": [[7, 8, 9]], "t": false}),
        ];
        let back = roundtrip(&rows);
        let want = vec![
            json!({"a": 1, "b": [1.5, null, 3.0], "w": {"hr": 140.25}, "m": {"x": "y"},
                   "h": [[1, 2, 3], [4, 5, 6]], "t": true}),
            json!(null),
            json!({"a": 2, "b": [], "m": {}, "h": [], "f": 0.1 + 0.2}),
            json!({"a": -3, "m": {"z": "q"}, "h": [[7, 8, 9]], "t": false}),
        ];
        assert_eq!(back, want);
        // The float keeps its bits (0.30000000000000004, not 0.3).
        assert_eq!(
            back[2]["f"].as_f64().unwrap().to_bits(),
            (0.1f64 + 0.2).to_bits()
        );
    }

    #[test]
    fn integers_widen_to_floats_and_other_mixes_are_refused() {
        assert_eq!(
            roundtrip(&[json!(1), json!(2.5)]),
            vec![json!(1.0), json!(2.5)]
        );
        let mut k = Kind::Null;
        k.widen(&json!({"a": [1]})).unwrap();
        let e = k.widen(&json!({"a": ["x"]})).unwrap_err();
        assert_eq!(e, "a: []: an integer and a text");
        assert!(Kind::Int.widen(&json!({})).is_err());
    }

    #[test]
    fn a_sliced_column_reads_its_own_rows() {
        let rows: Vec<Value> = (0..10u32)
            .map(|i| json!({"i": i, "l": vec![i; i as usize], "s": {"v": f64::from(i) / 3.0}}))
            .collect();
        let mut kind = Kind::Null;
        for r in &rows {
            kind.widen(r).unwrap();
        }
        let refs: Vec<Option<&Value>> = rows.iter().map(Some).collect();
        let s = column("c", &refs, &kind).unwrap();
        assert_eq!(texts(&s.slice(3, 4)), rows[3..7].to_vec());
    }

    #[test]
    fn columns_are_typed_for_other_readers() {
        let rows = [json!({"n": 1, "x": 1.5, "l": [1.0], "w": {"a": "b"}})];
        let mut kind = Kind::Null;
        kind.widen(&rows[0]).unwrap();
        let s = column("c", &[Some(&rows[0])], &kind).unwrap();
        let DataType::Struct(fields) = s.dtype() else {
            panic!("{:?}", s.dtype())
        };
        let mut types: Vec<String> = fields
            .iter()
            .map(|f| format!("{} {}", f.name(), f.dtype()))
            .collect();
        types.sort();
        assert_eq!(types, ["l list[f64]", "n i64", "w struct[1]", "x f64"]);
    }
}
