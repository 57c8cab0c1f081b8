//! PIN verifiers packed for a large roster: one map entry and one allocation
//! each would cost more than the strings. The parameters part
//! (`tapin-pin-v1$argon2id$m=…,t=…,p=…$`) is the same for almost everyone and
//! kept once; the rest lives in one buffer, as raw bytes when it is the hex
//! salt and hash of a tapin verifier (48 bytes instead of 97), else as text.

use crate::domain::PersonId;

/// The bytes of a verifier's hash (see `secrets::pin_verifier`): what ends a
/// packed rest, the salt before it.
const HASH_BYTES: usize = 32;
/// In [`Verifiers::prefix`]: the rest is packed (hex decoded).
pub(super) const PACKED: u16 = 0x8000;
/// In [`Verifiers::prefix`], under [`PACKED`]: no prefix, the string is kept whole.
pub(super) const NO_PREFIX: u16 = 0x7fff;

#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Verifiers {
    /// Whose verifiers, sorted.
    pub(super) people: Vec<PersonId>,
    /// For each of `people`: the index of its prefix in `prefixes` (or
    /// [`NO_PREFIX`]), with [`PACKED`] set when its rest is raw bytes.
    pub(super) prefix: Vec<u16>,
    /// For each of `people`: where its rest ends in `rest` (it starts where
    /// the previous one ends).
    pub(super) ends: Vec<u32>,
    pub(super) prefixes: Vec<Box<str>>,
    pub(super) rest: Vec<u8>,
}

impl Verifiers {
    pub(super) fn new(mut all: Vec<(PersonId, String)>) -> Self {
        // The last of equal ids wins, as in a map built in order.
        all.reverse();
        all.sort_by_key(|(id, _)| *id);
        all.dedup_by_key(|(id, _)| *id);
        let mut v = Verifiers::default();
        let total: usize = all.iter().map(|(_, s)| s.len()).sum();
        v.rest.reserve(total.min(u32::MAX as usize));
        for (id, phc) in all {
            // Split before the salt: after the last-but-one `$`.
            let cut = phc.rmatch_indices('$').nth(1).map_or(0, |(i, _)| i + 1);
            let (head, tail) = phc.split_at(cut);
            let known = v.prefixes.iter().position(|p| &**p == head);
            let index = known.or_else(|| {
                // Past that many parameter sets (never seen), strings stay whole.
                (v.prefixes.len() < usize::from(NO_PREFIX)).then(|| {
                    v.prefixes.push(head.into());
                    v.prefixes.len() - 1
                })
            });
            let (index, tail) = match index.and_then(|i| u16::try_from(i).ok()) {
                Some(i) => (i, tail),
                None => (NO_PREFIX, phc.as_str()),
            };
            let packed = (index != NO_PREFIX).then(|| pack(tail)).flatten();
            let (flag, bytes) = match &packed {
                Some(raw) => (PACKED, raw.as_slice()),
                None => (0, tail.as_bytes()),
            };
            let Ok(end) = u32::try_from(v.rest.len() + bytes.len()) else {
                tracing::warn!("PIN verifiers beyond 4 GiB left out");
                break;
            };
            v.rest.extend_from_slice(bytes);
            v.people.push(id);
            v.prefix.push(index | flag);
            v.ends.push(end);
        }
        v.rest.shrink_to_fit();
        v
    }

    pub(super) fn get(&self, person: PersonId) -> Option<String> {
        let i = self.people.binary_search(&person).ok()?;
        let start = i.checked_sub(1).map_or(0, |p| self.ends[p] as usize);
        let tail = self.rest.get(start..self.ends[i] as usize)?;
        let index = self.prefix[i] & !PACKED;
        let head = self.prefixes.get(usize::from(index)).map_or("", |p| &**p);
        if self.prefix[i] & PACKED != 0 {
            let (salt, hash) = tail.split_at(tail.len().checked_sub(HASH_BYTES)?);
            return Some(format!("{head}{}${}", hex::encode(salt), hex::encode(hash)));
        }
        Some(format!("{head}{}", std::str::from_utf8(tail).ok()?))
    }

    /// Whether the rests are where their ends say and each decodes (packed:
    /// holds a hash; text: UTF-8): what [`Verifiers::get`] relies on.
    pub(super) fn consistent(&self) -> bool {
        if self.prefix.len() != self.people.len()
            || self.ends.len() != self.people.len()
            || self.people.windows(2).any(|w| w[0] >= w[1])
            || self.ends.windows(2).any(|w| w[0] > w[1])
            || self
                .ends
                .last()
                .is_some_and(|&e| e as usize > self.rest.len())
        {
            return false;
        }
        let mut start = 0;
        self.ends.iter().zip(&self.prefix).all(|(&end, &prefix)| {
            let tail = &self.rest[start..end as usize];
            start = end as usize;
            if prefix & PACKED != 0 {
                tail.len() > HASH_BYTES
            } else {
                std::str::from_utf8(tail).is_ok()
            }
        })
    }
}

/// The salt and hash of `tail` (`<salt hex>$<hash hex>`, lowercase, as
/// verifiers are made) as raw bytes, if it is exactly that: encoding them
/// again must give `tail` back.
fn pack(tail: &str) -> Option<Vec<u8>> {
    let (salt, hash) = tail.split_once('$')?;
    let lower_hex = |s: &str| s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if salt.is_empty() || !lower_hex(salt) || !lower_hex(hash) {
        return None;
    }
    let mut raw = hex::decode(salt).ok()?;
    let hash = hex::decode(hash).ok()?;
    if hash.len() != HASH_BYTES {
        return None;
    }
    raw.extend_from_slice(&hash);
    Some(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn id(n: u128) -> PersonId {
        PersonId(Uuid::from_u128(n))
    }

    #[test]
    fn verifiers_come_back_exactly() {
        let phc = |salt: &str| format!("$argon2id$v=19$m=19456,t=2,p=1${salt}$aGFzaA");
        let odd = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$b3RoZXI".to_owned();
        let all = vec![
            (id(3), phc("c2FsdDM")),
            (id(1), phc("c2FsdDE")),
            (id(2), odd.clone()),
            (id(4), "no dollar at all".to_owned()),
            (id(5), String::new()),
            (id(1), phc("bGFzdA")),
        ];
        let v = Verifiers::new(all);
        assert_eq!(
            v.get(id(1)),
            Some(phc("bGFzdA")),
            "the last of equal ids wins"
        );
        assert_eq!(v.get(id(2)), Some(odd));
        assert_eq!(v.get(id(3)), Some(phc("c2FsdDM")));
        assert_eq!(v.get(id(4)).as_deref(), Some("no dollar at all"));
        assert_eq!(v.get(id(5)).as_deref(), Some(""));
        assert_eq!(v.get(id(6)), None);
        assert_eq!(v.prefixes.len(), 3, "{:?}", v.prefixes);
        assert!(v.consistent());
    }

    #[test]
    fn tapin_verifiers_are_kept_as_raw_bytes_and_come_back_exactly() {
        let tapin =
            |salt: &str, hash: &str| format!("tapin-pin-v1$argon2id$m=7168,t=5,p=1${salt}${hash}");
        let hash = "ab".repeat(32);
        let all = vec![
            (id(1), tapin(&"01".repeat(16), &hash)),
            (id(2), tapin(&"fe".repeat(8), &hash)),
            // Not packed: upper case, odd length, a short hash.
            (id(3), tapin(&"AB".repeat(16), &hash)),
            (id(4), tapin("abc", &hash)),
            (id(5), tapin(&"01".repeat(16), "abcd")),
        ];
        let v = Verifiers::new(all.clone());
        for (who, verifier) in &all {
            assert_eq!(v.get(*who).as_ref(), Some(verifier));
        }
        let packed: Vec<bool> = v.prefix.iter().map(|p| p & PACKED != 0).collect();
        assert_eq!(packed, [true, true, false, false, false]);
        assert_eq!(v.ends[0], 48, "16 bytes of salt and 32 of hash");
        assert!(v.consistent());
    }
}
