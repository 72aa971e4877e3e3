//! Reading and writing integer-keyed document maps.

use crate::codes::{FieldPath, Reason};
use crate::model::nik::Nik;
use crate::model::time::Date;
use crate::wire::cbor::{Key, MapKeys, Reader, Token};
use ciborium::Value;

/// The values of a document map, indexed by integer key, read straight from the strict
/// decoder. Keys outside `names` are refused, but only when the fields are read: reading
/// the map itself fails only on CBOR errors, so that a shape problem never hides one.
pub(crate) struct FieldReader<'a, const N: usize> {
    slots: [Option<Token<'a>>; N],
    names: &'static [&'static str; N],
    member: Option<u16>,
    unknown_key: bool,
}

impl<'a, const N: usize> FieldReader<'a, N> {
    /// Reads the `count` remaining pairs of a map whose keys `keys` follows, values at
    /// `depth`. An array at a known key is handed to `on_array` with its key, length and
    /// the depth of its items; when that returns `false`, its items are passed over.
    // Inlined natively, for speed; not on WebAssembly, where each copy costs module size.
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    pub(crate) fn read(
        reader: &mut Reader<'a>,
        keys: &mut MapKeys<'a>,
        count: usize,
        depth: usize,
        names: &'static [&'static str; N],
        member: Option<u16>,
        mut on_array: impl FnMut(&mut Reader<'a>, usize, usize, usize) -> Result<bool, Reason>,
    ) -> Result<Self, Reason> {
        let mut fields = FieldReader {
            slots: [None; N],
            names,
            member,
            unknown_key: false,
        };
        for _ in 0..count {
            let key = reader.key(keys)?;
            let token = reader.token()?;
            let slot = match key {
                Key::Unsigned(k) => usize::try_from(k)
                    .ok()
                    .and_then(|k| fields.slots.get_mut(k).map(|slot| (k, slot))),
                _ => None,
            };
            match (slot, token) {
                (Some((k, slot)), Token::Array(len)) => {
                    *slot = Some(token);
                    let inner = reader.deeper(depth)?;
                    if !on_array(reader, k, len, inner)? {
                        reader.skip_items(len, inner)?;
                    }
                }
                (Some((_, slot)), _) => {
                    *slot = Some(token);
                    reader.skip_contents(token, depth)?;
                }
                (None, _) => {
                    fields.unknown_key = true;
                    reader.skip_contents(token, depth)?;
                }
            }
        }
        Ok(fields)
    }

    /// Refuses a map that had a key outside `names`: the first shape check, as a map
    /// with an unknown field is refused whatever its other fields hold.
    pub(crate) fn known_keys(&self) -> Result<(), Reason> {
        if self.unknown_key {
            Err(self.malformed(usize::MAX))
        } else {
            Ok(())
        }
    }

    fn path(&self, key: usize) -> FieldPath {
        FieldPath {
            member: self.member,
            field: self.names.get(key).copied().unwrap_or("unknown_field"),
        }
    }

    fn malformed(&self, key: usize) -> Reason {
        Reason::DocumentMalformed {
            field: self.path(key),
        }
    }

    /// The raw value at `key`, if present.
    pub(crate) fn get(&self, key: usize) -> Option<Token<'a>> {
        self.slots.get(key).copied().flatten()
    }

    fn required(&self, key: usize) -> Result<Token<'a>, Reason> {
        self.get(key).ok_or_else(|| self.malformed(key))
    }

    fn convert<T>(
        &self,
        key: usize,
        value: Token<'a>,
        f: impl FnOnce(Token<'a>) -> Option<T>,
    ) -> Result<T, Reason> {
        f(value).ok_or_else(|| self.malformed(key))
    }

    /// A required text field.
    pub(crate) fn text(&self, key: usize) -> Result<String, Reason> {
        let value = self.required(key)?;
        self.convert(key, value, |v| v.as_text().map(str::to_owned))
    }

    /// An optional text field.
    pub(crate) fn opt_text(&self, key: usize) -> Result<Option<String>, Reason> {
        self.get(key)
            .map(|v| self.convert(key, v, |v| v.as_text().map(str::to_owned)))
            .transpose()
    }

    /// A required unsigned integer that fits `T`.
    pub(crate) fn uint<T: TryFrom<u64>>(&self, key: usize) -> Result<T, Reason> {
        let value = self.required(key)?;
        self.convert(key, value, |v| v.as_u64().and_then(|n| T::try_from(n).ok()))
    }

    /// An optional unsigned integer that fits `T`.
    pub(crate) fn opt_uint<T: TryFrom<u64>>(&self, key: usize) -> Result<Option<T>, Reason> {
        self.get(key)
            .map(|v| self.convert(key, v, |v| v.as_u64().and_then(|n| T::try_from(n).ok())))
            .transpose()
    }

    /// A required NIK or nomor KK (an unsigned integer).
    pub(crate) fn nik(&self, key: usize) -> Result<Nik, Reason> {
        self.uint(key).map(Nik)
    }

    /// A required date (days since 1970-01-01).
    pub(crate) fn date(&self, key: usize) -> Result<Date, Reason> {
        let value = self.required(key)?;
        self.convert(key, value, date_of)
    }

    /// An optional date.
    pub(crate) fn opt_date(&self, key: usize) -> Result<Option<Date>, Reason> {
        self.get(key)
            .map(|v| self.convert(key, v, date_of))
            .transpose()
    }

    /// A required date, or null.
    pub(crate) fn date_or_null(&self, key: usize) -> Result<Option<Date>, Reason> {
        let value = self.required(key)?;
        if value == Token::Null {
            return Ok(None);
        }
        self.convert(key, value, date_of).map(Some)
    }

    /// An optional byte string.
    pub(crate) fn opt_bytes(&self, key: usize) -> Result<Option<Vec<u8>>, Reason> {
        self.get(key)
            .map(|v| self.convert(key, v, |v| v.as_bytes().map(<[u8]>::to_vec)))
            .transpose()
    }

    /// A required boolean.
    pub(crate) fn bool(&self, key: usize) -> Result<bool, Reason> {
        let value = self.required(key)?;
        self.convert(key, value, |v| match v {
            Token::Bool(b) => Some(b),
            _ => None,
        })
    }

    /// The length of a required array (its items were handed to `on_array`).
    pub(crate) fn array(&self, key: usize) -> Result<usize, Reason> {
        let value = self.required(key)?;
        self.convert(key, value, |v| match v {
            Token::Array(len) => Some(len),
            _ => None,
        })
    }
}

/// Reads the rest of a document map that holds no arrays (every type but the KK), and
/// builds the document from its fields with `build`. The outer error is a CBOR one, the
/// inner the document's shape.
#[cfg_attr(not(target_family = "wasm"), inline(always))]
pub(crate) fn read_flat<'a, const N: usize, T>(
    reader: &mut Reader<'a>,
    keys: &mut MapKeys<'a>,
    count: usize,
    depth: usize,
    names: &'static [&'static str; N],
    build: impl FnOnce(&FieldReader<'a, N>) -> Result<T, Reason>,
) -> Result<Result<T, Reason>, Reason> {
    let fields = FieldReader::read(reader, keys, count, depth, names, None, no_arrays)?;
    Ok(build(&fields))
}

/// For [`FieldReader::read`] where no array is expected: every array is passed over.
pub(crate) fn no_arrays(_: &mut Reader<'_>, _: usize, _: usize, _: usize) -> Result<bool, Reason> {
    Ok(false)
}

fn date_of(value: Token<'_>) -> Option<Date> {
    value
        .as_i64()
        .and_then(|d| i32::try_from(d).ok())
        .map(Date::from_days_since_epoch)
}

/// Builds a document map in ascending key order.
#[derive(Default)]
pub(crate) struct FieldWriter(Vec<(Value, Value)>);

impl FieldWriter {
    pub(crate) fn put(&mut self, key: u8, value: impl Into<Value>) -> &mut Self {
        self.0.push((Value::from(key), value.into()));
        self
    }

    pub(crate) fn put_opt(&mut self, key: u8, value: Option<impl Into<Value>>) -> &mut Self {
        if let Some(value) = value {
            self.put(key, value);
        }
        self
    }

    pub(crate) fn date(&mut self, key: u8, date: Date) -> &mut Self {
        self.put(key, date.days_since_epoch())
    }

    pub(crate) fn finish(self) -> Value {
        Value::Map(self.0)
    }
}
