//! Words of an analysed text field, as Elasticsearch's standard analyzer makes them
//! (approximated): lowercase runs of letters, digits and `_`; a `.` or `'` between two letters or
//! digits and a `:` between two letters stay inside the word (as Unicode word segmentation keeps
//! `Reflection.Emit`, `3.14` and `don't` whole). Every other character separates words. Not
//! modelled: ideographs (one word each in Elasticsearch) and the rarer joiners.

/// The words of `text`, lowercased.
pub fn words(text: &str) -> Vec<String> {
    split_words(text).into_iter().map(|w| w.to_lowercase()).collect()
}

/// The words of `text` as written.
pub fn split_words(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let next = chars.get(i + 1).copied();
        let joins = match c {
            '.' | '\'' => both(prev, next, |x| x.is_alphanumeric()),
            ':' => both(prev, next, |x| x.is_alphabetic()),
            _ => false,
        };
        if c.is_alphanumeric() || c == '_' || (joins && !cur.is_empty()) {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn both(a: Option<char>, b: Option<char>, f: impl Fn(char) -> bool) -> bool {
    a.is_some_and(&f) && b.is_some_and(&f)
}

/// A phrase query: the words of `phrase` occur in the words of `text`, consecutively and in
/// order. A phrase without words matches nothing.
pub fn phrase_matches(text: &str, phrase: &str) -> bool {
    let want = words(phrase);
    if want.is_empty() {
        return false;
    }
    words(text).windows(want.len()).any(|w| w == want.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_at_punctuation_and_keep_in_word_joiners() {
        assert_eq!(words("New-InMemoryModule"), ["new", "inmemorymodule"]);
        assert_eq!(
            words("[Reflection.Emit]::DefineDynamicAssembly"),
            ["reflection.emit", "definedynamicassembly"]
        );
        assert_eq!(words("don't stop 3.14 a:b 1:2 end."), ["don't", "stop", "3.14", "a:b", "1", "2", "end"]);
        assert_eq!(words("snake_case x.  y"), ["snake_case", "x", "y"]);
        assert!(words(" -- ").is_empty());
    }

    #[test]
    fn phrases_are_consecutive_words_in_order() {
        assert!(phrase_matches("$x = New-InMemoryModule -Name y", "New-InMemoryModule"));
        assert!(phrase_matches("new inmemorymodule", "New-InMemoryModule"));
        assert!(!phrase_matches("XNew-InMemoryModuleX", "New-InMemoryModule"));
        assert!(!phrase_matches("inmemorymodule new", "New-InMemoryModule"));
        assert!(!phrase_matches("anything", "--"));
    }
}
