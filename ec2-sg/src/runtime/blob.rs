//! Binary data (botocore `blob` shapes) and the base64 codec used to put it on the wire.
//!
//! std-only; decoding never panics and reports the position of the first problem.

use std::fmt;

/// Binary data (botocore `blob`); base64 on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Blob {
    inner: Vec<u8>,
}

impl Blob {
    /// Wraps the given bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self { inner: bytes.into() }
    }

    /// The bytes, borrowed.
    pub fn as_bytes(&self) -> &[u8] {
        &self.inner
    }

    /// The bytes, owned.
    pub fn into_inner(self) -> Vec<u8> {
        self.inner
    }
}

impl AsRef<[u8]> for Blob {
    fn as_ref(&self) -> &[u8] {
        &self.inner
    }
}

impl From<Vec<u8>> for Blob {
    fn from(bytes: Vec<u8>) -> Self {
        Self::new(bytes)
    }
}

impl From<&[u8]> for Blob {
    fn from(bytes: &[u8]) -> Self {
        Self::new(bytes)
    }
}

impl From<&str> for Blob {
    fn from(text: &str) -> Self {
        Self::new(text.as_bytes())
    }
}

impl From<String> for Blob {
    fn from(text: String) -> Self {
        Self::new(text.into_bytes())
    }
}

impl From<Blob> for Vec<u8> {
    fn from(blob: Blob) -> Self {
        blob.inner
    }
}

/// Why [`base64_decode`] rejected its input; positions are byte offsets into the input text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base64Error {
    /// A character outside the standard base64 alphabet, `=` and ASCII whitespace.
    InvalidCharacter {
        /// Byte offset of the character.
        position: usize,
        /// The offending character.
        character: char,
    },
    /// Misplaced or wrongly counted `=` padding, or data after padding.
    InvalidPadding {
        /// Byte offset of the offending `=` or of the first character after the padding.
        position: usize,
    },
    /// The number of base64 characters leaves a dangling 6-bit group (length ≡ 1 mod 4).
    InvalidLength,
}

impl fmt::Display for Base64Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidCharacter { position, character } => {
                write!(f, "invalid base64: unexpected character {character:?} at byte {position}")
            }
            Self::InvalidPadding { position } => {
                write!(f, "invalid base64: bad padding at byte {position}")
            }
            Self::InvalidLength => f.write_str("invalid base64: truncated input"),
        }
    }
}

impl std::error::Error for Base64Error {}

/// Encodes with the standard alphabet, with `=` padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3).saturating_mul(4));
    let sextet = |n: u32, shift: u32| encode_sextet(n >> shift);
    let mut chunks = bytes.chunks_exact(3);
    for chunk in &mut chunks {
        if let [a, b, c] = *chunk {
            let n = u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c);
            out.push(sextet(n, 18));
            out.push(sextet(n, 12));
            out.push(sextet(n, 6));
            out.push(sextet(n, 0));
        }
    }
    match *chunks.remainder() {
        [a] => {
            let n = u32::from(a) << 16;
            out.push(sextet(n, 18));
            out.push(sextet(n, 12));
            out.push_str("==");
        }
        [a, b] => {
            let n = u32::from(a) << 16 | u32::from(b) << 8;
            out.push(sextet(n, 18));
            out.push(sextet(n, 12));
            out.push(sextet(n, 6));
            out.push('=');
        }
        _ => {}
    }
    out
}

/// The standard-alphabet character for the low six bits of `n`.
fn encode_sextet(n: u32) -> char {
    // Masked to 0..=63, so the narrowing cast is lossless and no arm can overflow.
    let v = (n & 0x3f) as u8;
    char::from(match v {
        0..=25 => b'A' + v,
        26..=51 => b'a' + (v - 26),
        52..=61 => b'0' + (v - 52),
        62 => b'+',
        _ => b'/',
    })
}

fn decode_sextet(c: char) -> Option<u32> {
    let value = match c {
        'A'..='Z' => u32::from(c) - u32::from('A'),
        'a'..='z' => u32::from(c) - u32::from('a') + 26,
        '0'..='9' => u32::from(c) - u32::from('0') + 52,
        '+' => 62,
        '/' => 63,
        _ => return None,
    };
    Some(value)
}

/// Decodes standard-alphabet base64; ASCII whitespace is ignored and `=` padding is optional.
///
/// Padding, when present, must be complete (`QQ==`, not `QQ=`) and only whitespace may follow
/// it. Unused low bits in the last character are ignored, as most decoders do.
pub fn base64_decode(text: &str) -> Result<Vec<u8>, Base64Error> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let mut acc = 0u32;
    // Data characters seen, modulo 4.
    let mut pending = 0u8;
    // (position of first '=', count of '=') once padding has started.
    let mut padding: Option<(usize, u8)> = None;
    for (position, c) in text.char_indices() {
        if c.is_ascii_whitespace() {
            continue;
        }
        if c == '=' {
            let (first, count) = padding.get_or_insert((position, 0));
            *count += 1;
            // One '=' pads three characters, two pad two; nothing else is valid.
            let needed = match pending {
                2 => 2,
                3 => 1,
                _ => return Err(Base64Error::InvalidPadding { position: *first }),
            };
            if *count > needed {
                return Err(Base64Error::InvalidPadding { position });
            }
            continue;
        }
        if padding.is_some() {
            return Err(Base64Error::InvalidPadding { position });
        }
        let value = decode_sextet(c).ok_or(Base64Error::InvalidCharacter { position, character: c })?;
        acc = acc << 6 | value;
        pending += 1;
        if pending == 4 {
            out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
            acc = 0;
            pending = 0;
        }
    }
    match pending {
        0 => {}
        1 => return Err(Base64Error::InvalidLength),
        2 => out.push((acc >> 4) as u8),
        _ => out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]),
    }
    if let Some((first, count)) = padding {
        let needed = if pending == 2 { 2 } else { 1 };
        if count != needed {
            return Err(Base64Error::InvalidPadding { position: first });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(text: &str) -> Vec<u8> {
        match base64_decode(text) {
            Ok(bytes) => bytes,
            Err(err) => panic!("{text:?} should decode: {err}"),
        }
    }

    #[test]
    fn blob_constructors() {
        let expected = vec![b'h', b'i'];
        assert_eq!(Blob::new("hi").as_bytes(), expected.as_slice());
        assert_eq!(Blob::new(expected.clone()).into_inner(), expected);
        assert_eq!(Blob::from(expected.clone()), Blob::new("hi"));
        assert_eq!(Blob::from(expected.as_slice()), Blob::new("hi"));
        assert_eq!(Blob::from("hi"), Blob::new("hi"));
        assert_eq!(Blob::from(String::from("hi")), Blob::new("hi"));
        assert_eq!(Blob::from("hi").as_ref(), b"hi");
        assert_eq!(Vec::from(Blob::from("hi")), expected);
        assert!(Blob::default().as_bytes().is_empty());
    }

    #[test]
    fn encode_examples() {
        assert_eq!(base64_encode(b"value"), "dmFsdWU=");
        assert_eq!(base64_encode(b""), "");
        assert_eq!(base64_encode(b"f"), "Zg==");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_encode(b"foo"), "Zm9v");
        assert_eq!(base64_encode(b"foob"), "Zm9vYg==");
        assert_eq!(base64_encode(b"fooba"), "Zm9vYmE=");
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_encode(&[0xfb, 0xff, 0xbf]), "+/+/");
        assert_eq!(base64_encode(&[0, 0, 0]), "AAAA");
    }

    #[test]
    fn decode_examples() {
        assert_eq!(decode("dmFsdWU="), b"value");
        assert_eq!(decode("dmFsdWU"), b"value");
        assert_eq!(decode(""), b"");
        assert_eq!(decode("Zg=="), b"f");
        assert_eq!(decode("Zg"), b"f");
        assert_eq!(decode("Zm8="), b"fo");
        assert_eq!(decode("Zm9vYmFy"), b"foobar");
        assert_eq!(decode("+/+/"), [0xfb, 0xff, 0xbf]);
    }

    #[test]
    fn decode_ignores_whitespace() {
        assert_eq!(decode("  dmFs\ndWU=\r\n"), b"value");
        assert_eq!(decode("d m F s d W U ="), b"value");
        assert_eq!(decode("\tZg=\n=  "), b"f");
        assert_eq!(decode(" \n\t "), b"");
        let wrapped: String = base64_encode(&[7u8; 200])
            .as_bytes()
            .chunks(76)
            .map(|line| format!("{}\n", String::from_utf8_lossy(line)))
            .collect();
        assert_eq!(decode(&wrapped), vec![7u8; 200]);
    }

    #[test]
    fn decode_ignores_unused_trailing_bits() {
        assert_eq!(decode("Zh=="), b"f");
        assert_eq!(decode("Zm9="), b"fo");
    }

    #[test]
    fn round_trip_all_lengths_and_bytes() {
        let data: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        for len in 0..data.len() {
            let slice = data.get(..len).unwrap_or_default();
            let encoded = base64_encode(slice);
            assert_eq!(encoded.len() % 4, 0);
            assert_eq!(decode(&encoded), slice);
            assert_eq!(decode(encoded.trim_end_matches('=')), slice);
        }
    }

    #[test]
    fn rejects_bad_characters_with_position() {
        assert_eq!(base64_decode("dmF*dWU="), Err(Base64Error::InvalidCharacter { position: 3, character: '*' }));
        assert_eq!(base64_decode("dmFsŽdWU="), Err(Base64Error::InvalidCharacter { position: 4, character: 'Ž' }));
        assert_eq!(base64_decode("ŽŽ-"), Err(Base64Error::InvalidCharacter { position: 0, character: 'Ž' }));
        // URL-safe alphabet is not the standard one.
        assert!(matches!(base64_decode("ab-_"), Err(Base64Error::InvalidCharacter { position: 2, .. })));
        assert!(base64_decode("ab\u{0}c").is_err());
    }

    #[test]
    fn rejects_bad_padding() {
        assert_eq!(base64_decode("Zg="), Err(Base64Error::InvalidPadding { position: 2 }));
        assert_eq!(base64_decode("Zg==="), Err(Base64Error::InvalidPadding { position: 4 }));
        assert_eq!(base64_decode("Zm8=="), Err(Base64Error::InvalidPadding { position: 4 }));
        assert_eq!(base64_decode("Zm9v="), Err(Base64Error::InvalidPadding { position: 4 }));
        assert_eq!(base64_decode("="), Err(Base64Error::InvalidPadding { position: 0 }));
        assert_eq!(base64_decode("Zg==Zg=="), Err(Base64Error::InvalidPadding { position: 4 }));
        assert_eq!(base64_decode("Zm8=x"), Err(Base64Error::InvalidPadding { position: 4 }));
        assert_eq!(base64_decode("Z=g="), Err(Base64Error::InvalidPadding { position: 1 }));
    }

    #[test]
    fn rejects_truncated_input() {
        assert_eq!(base64_decode("Z"), Err(Base64Error::InvalidLength));
        assert_eq!(base64_decode("Zm9vY"), Err(Base64Error::InvalidLength));
        assert_eq!(base64_decode("Zm9vY="), Err(Base64Error::InvalidPadding { position: 5 }));
    }

    #[test]
    fn error_display() {
        let err = Base64Error::InvalidCharacter { position: 3, character: '*' };
        assert_eq!(err.to_string(), "invalid base64: unexpected character '*' at byte 3");
        let boxed: Box<dyn std::error::Error> = Box::new(Base64Error::InvalidLength);
        assert_eq!(boxed.to_string(), "invalid base64: truncated input");
        assert_eq!(Base64Error::InvalidPadding { position: 9 }.to_string(), "invalid base64: bad padding at byte 9");
    }
}
