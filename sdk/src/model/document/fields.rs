//! Reading and writing integer-keyed document maps.

use crate::codes::{FieldPath, Reason};
use crate::model::nik::Nik;
use crate::model::time::Date;
use crate::wire::cbor::Item;
use ciborium::Value;

/// The values of a document map, indexed by integer key; keys outside `names` are refused.
pub(crate) struct FieldReader<'a, const N: usize> {
    slots: [Option<&'a Item<'a>>; N],
    names: &'static [&'static str; N],
    member: Option<u16>,
}

impl<'a, const N: usize> FieldReader<'a, N> {
    /// Indexes `value`, which must be a map whose keys are known field numbers.
    pub(crate) fn new(
        item: &'a Item<'a>,
        names: &'static [&'static str; N],
        member: Option<u16>,
    ) -> Result<Self, Reason> {
        let malformed = |field| Reason::DocumentMalformed {
            field: FieldPath { member, field },
        };
        let entries = item.as_map().ok_or_else(|| {
            malformed(if member.is_some() {
                "anggota"
            } else {
                "document"
            })
        })?;
        let mut slots = [None; N];
        for (key, val) in entries {
            let slot = key
                .as_u64()
                .and_then(|k| usize::try_from(k).ok())
                .and_then(|k| slots.get_mut(k))
                .ok_or(malformed("unknown_field"))?;
            *slot = Some(val);
        }
        Ok(FieldReader {
            slots,
            names,
            member,
        })
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
    pub(crate) fn get(&self, key: usize) -> Option<&'a Item<'a>> {
        self.slots.get(key).copied().flatten()
    }

    fn required(&self, key: usize) -> Result<&'a Item<'a>, Reason> {
        self.get(key).ok_or_else(|| self.malformed(key))
    }

    fn convert<T>(
        &self,
        key: usize,
        value: &'a Item<'a>,
        f: impl FnOnce(&'a Item<'a>) -> Option<T>,
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
        if value.is_null() {
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
            Item::Bool(b) => Some(*b),
            _ => None,
        })
    }

    /// A required array.
    pub(crate) fn array(&self, key: usize) -> Result<&'a [Item<'a>], Reason> {
        let value = self.required(key)?;
        self.convert(key, value, |v| v.as_array())
    }
}

fn date_of(value: &Item<'_>) -> Option<Date> {
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
