//! How deeply Python source nests, estimated from its tokens before it is parsed.
//!
//! ruff's parser grows its own stack, but the syntax tree it builds is then cloned, dropped
//! and translated by code that recurses once per level: 50,000 `not`s or 20,000 chained
//! `.get()` calls would exhaust the stack there. So the source is refused when its estimated
//! nesting passes [`MAX_SOURCE_NESTING`]. The estimate over-counts rather than under-counts:
//! per bracket level, a run of tokens that nest the tree (`not`, unary and binary operators,
//! `.attr`, call and subscript trailers, `lambda`, a conditional `if`) adds one each, and
//! what builds flat nodes (`,` `:` `=`, `and`, `or`, comparisons, a new logical line) ends the
//! run; brackets and indentation add one per level. CPython itself refuses far less (100
//! indentation levels, 200 nested brackets).

/// Estimated nesting above which a Python file is refused (`too-deep`); real rules stay
/// below a few dozen.
pub(crate) const MAX_SOURCE_NESTING: usize = 200;

/// The byte offset where the estimated nesting of `text` first passes `limit`, and that
/// nesting; `None` when it stays within.
pub(crate) fn too_deep(text: &str, limit: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    // One run count per open bracket, the first for the logical line outside brackets.
    let mut runs: Vec<usize> = vec![0];
    // Flat runs broken by `and`/`or` etc. still nest under `lambda` and conditional `if`.
    let mut sticky: Vec<usize> = vec![0];
    let mut indents: Vec<usize> = Vec::new();
    let mut line_start = true;
    let mut after_atom = false;
    let mut i = 0;
    while i < b.len() {
        if line_start && runs.len() == 1 {
            line_start = false;
            let mut w = 0;
            while i + w < b.len() && matches!(b[i + w], b' ' | b'\t') {
                w += 1;
            }
            let blank = i + w >= b.len() || matches!(b[i + w], b'\n' | b'\r' | b'#');
            if !blank {
                while indents.last().is_some_and(|&top| w < top) {
                    indents.pop();
                }
                if w > 0 && indents.last().is_none_or(|&top| w > top) {
                    indents.push(w);
                }
            }
            i += w;
            continue;
        }
        let c = b[i];
        let mut grow = 0;
        match c {
            b'\n' => {
                if runs.len() == 1 {
                    runs[0] = 0;
                    sticky[0] = 0;
                    line_start = true;
                }
                after_atom = false;
                i += 1;
            }
            b'\\' if b.get(i + 1) == Some(&b'\n') => i += 2,
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'\'' | b'"' => {
                i = skip_string(b, i);
                after_atom = true;
            }
            b'(' | b'[' | b'{' => {
                if after_atom {
                    grow = 1;
                }
                *runs.last_mut().unwrap_or(&mut 0) += grow;
                runs.push(0);
                sticky.push(0);
                after_atom = false;
                i += 1;
            }
            b')' | b']' | b'}' => {
                if runs.len() > 1 {
                    runs.pop();
                    sticky.pop();
                }
                after_atom = true;
                i += 1;
            }
            b',' | b';' | b':' => {
                reset(&mut runs);
                after_atom = false;
                i += 1;
            }
            b'=' | b'!' | b'<' | b'>' => {
                let two = b.get(i + 1).copied();
                let shift = matches!((c, two), (b'<', Some(b'<')) | (b'>', Some(b'>')));
                if shift {
                    grow = 1;
                    i += 2;
                } else {
                    reset(&mut runs);
                    i += if two == Some(b'=') { 2 } else { 1 };
                }
                after_atom = false;
            }
            b'.' if !b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                grow = 1;
                after_atom = false;
                i += 1;
            }
            b'+' | b'-' | b'*' | b'/' | b'%' | b'@' | b'&' | b'|' | b'^' | b'~' => {
                let mut j = i + 1;
                while j < b.len() && matches!(b[j], b'*' | b'/') && j < i + 2 {
                    j += 1;
                }
                if b.get(j) == Some(&b'=') {
                    reset(&mut runs);
                    j += 1;
                } else {
                    grow = 1;
                }
                after_atom = false;
                i = j;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 => {
                let start = i;
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80 || b[i] == b'.')
                {
                    // A number's `.`, or an identifier's characters.
                    if b[i] == b'.' && !b[start].is_ascii_digit() {
                        break;
                    }
                    i += 1;
                }
                let word = &text[start..i];
                if i < b.len() && matches!(b[i], b'\'' | b'"') && is_string_prefix(word) {
                    i = skip_string(b, i);
                    after_atom = true;
                    continue;
                }
                after_atom = true;
                match word {
                    "not" | "await" => {
                        grow = 1;
                        after_atom = false;
                    }
                    "lambda" | "if" => {
                        *sticky.last_mut().unwrap_or(&mut 0) += 1;
                        after_atom = false;
                    }
                    "and" | "or" | "in" | "is" | "for" | "else" | "return" => {
                        reset(&mut runs);
                        after_atom = false;
                    }
                    _ => {}
                }
            }
            _ => i += 1,
        }
        if let Some(last) = runs.last_mut() {
            *last += grow;
        }
        let depth = indents.len() + runs.len() + runs.iter().sum::<usize>() + sticky.iter().sum::<usize>();
        if depth > limit {
            return Some((i.min(text.len()).saturating_sub(1), depth));
        }
    }
    None
}

fn reset(runs: &mut [usize]) {
    if let Some(last) = runs.last_mut() {
        *last = 0;
    }
}

fn is_string_prefix(word: &str) -> bool {
    word.len() <= 2 && word.chars().all(|c| matches!(c.to_ascii_lowercase(), 'r' | 'b' | 'u' | 'f' | 't'))
}

/// The offset just after the string literal whose opening quote is at `i`.
fn skip_string(b: &[u8], i: usize) -> usize {
    let q = b[i];
    let triple = b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q);
    let mut j = if triple { i + 3 } else { i + 1 };
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            c if c == q && !triple => return j + 1,
            c if c == q && b.get(j + 1) == Some(&q) && b.get(j + 2) == Some(&q) => return j + 3,
            b'\n' if !triple => return j,
            _ => j += 1,
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(text: &str) -> usize {
        (1..1000).find(|&limit| too_deep(text, limit).is_none()).unwrap_or(1000)
    }

    #[test]
    fn nesting_tokens_count_and_flat_ones_do_not() {
        let nots = format!("def rule(event):\n    return {}event.get('x')\n", "not ".repeat(50));
        assert!(depth(&nots) > 50);
        let gets = format!("def rule(event):\n    return event{} == 'v'\n", ".get('a', {})".repeat(60));
        assert!(depth(&gets) > 60);
        let ors: Vec<String> = (0..500).map(|i| format!("event.get('k{i}') == {i}")).collect();
        let flat = format!("def rule(event):\n    return {}\n", ors.join(" or "));
        assert!(depth(&flat) < 10, "a flat `or` is not deep: {}", depth(&flat));
        let list: Vec<String> = (0..500).map(|i| format!("'v{i}'")).collect();
        let consts = format!("VALUES = [\n    {},\n]\n", list.join(",\n    "));
        assert!(depth(&consts) < 5);
    }

    #[test]
    fn strings_and_comments_are_opaque() {
        let s = format!(
            "X = '{}'  # {}\nY = \"\"\"{}\"\"\"\n",
            "(".repeat(300),
            "[".repeat(300),
            "{".repeat(300)
        );
        assert!(depth(&s) < 5, "{}", depth(&s));
    }

    #[test]
    fn the_limit_is_reported_where_it_is_passed() {
        let text = format!("def rule(event):\n    return {}1\n", "not ".repeat(300));
        let (at, d) = too_deep(&text, MAX_SOURCE_NESTING).expect("too deep");
        assert!(d > MAX_SOURCE_NESTING);
        assert!(text[..=at].ends_with("not"), "the span is on the `not` that passes the limit");
    }
}
