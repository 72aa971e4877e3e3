//! Printing an error with its causes.
//!
//! The service's errors say what failed in their `Display` and keep the underlying error
//! (I/O, database, SDK) as their [`source`](std::error::Error::source), so that a caller
//! can inspect it. [`Chain`] prints the whole chain on one line, for the binary's last
//! words, the logs and the trust status.

use std::error::Error;
use std::fmt;

/// An error and its sources on one line: `what failed: why: why that`.
///
/// Some libraries repeat their source's message in their own; a source whose message
/// the line already ends with is not printed twice.
#[derive(Clone, Copy)]
pub struct Chain<'a>(pub &'a (dyn Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut line = self.0.to_string();
        let mut next = self.0.source();
        while let Some(source) = next {
            let text = source.to_string();
            if !text.is_empty() && !line.ends_with(&text) {
                line.push_str(": ");
                line.push_str(&text);
            }
            next = source.source();
        }
        f.write_str(&line)
    }
}

impl fmt::Debug for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Outer(std::io::Error);

    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("cannot read /srv/ikd/config.toml")
        }
    }

    impl Error for Outer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.0)
        }
    }

    /// A library error that repeats its source in its own message.
    #[derive(Debug)]
    struct Repeats(std::io::Error);

    impl fmt::Display for Repeats {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "db error: {}", self.0)
        }
    }

    impl Error for Repeats {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn prints_every_cause_once() {
        let io = || std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        assert_eq!(
            Chain(&Outer(io())).to_string(),
            "cannot read /srv/ikd/config.toml: no such file"
        );
        assert_eq!(Chain(&Repeats(io())).to_string(), "db error: no such file");
        assert_eq!(Chain(&io()).to_string(), "no such file");
    }
}
