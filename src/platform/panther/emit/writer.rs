//! A small Python expression tree, its precedence-aware printer, and the one function that
//! turns a string into a Python literal (`py_str`). Every value reaches the output through
//! `py_str` / `py_value`, so no value can become code.

use crate::ir::Value;

/// A Python boolean expression. Atoms are complete expressions built only from generated
/// names, fixed syntax and literals made by `py_str` / `py_value`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Py {
    Atom(String),
    And(Vec<Py>),
    Or(Vec<Py>),
    Not(Box<Py>),
    Const(bool),
}

impl Py {
    pub fn atom(s: impl Into<String>) -> Py {
        Py::Atom(s.into())
    }
    pub fn and(items: Vec<Py>) -> Py {
        let items: Vec<Py> =
            items.into_iter().flat_map(|x| if let Py::And(xs) = x { xs } else { vec![x] }).collect();
        if items.len() == 1 {
            return items.into_iter().next().unwrap_or(Py::Const(true));
        }
        Py::And(items)
    }
    pub fn or(items: Vec<Py>) -> Py {
        let items: Vec<Py> =
            items.into_iter().flat_map(|x| if let Py::Or(xs) = x { xs } else { vec![x] }).collect();
        if items.len() == 1 {
            return items.into_iter().next().unwrap_or(Py::Const(false));
        }
        Py::Or(items)
    }
    #[allow(clippy::should_implement_trait)]
    pub fn not(inner: Py) -> Py {
        match inner {
            Py::Not(x) => *x,
            x => Py::Not(Box::new(x)),
        }
    }

    fn prec(&self) -> u8 {
        match self {
            Py::Or(_) => 1,
            Py::And(_) => 2,
            Py::Not(_) => 3,
            Py::Atom(_) | Py::Const(_) => 4,
        }
    }

    /// Render inline, parenthesising children that bind looser than their parent.
    pub fn render(&self) -> String {
        match self {
            Py::Atom(s) => s.clone(),
            Py::Const(b) => if *b { "True" } else { "False" }.into(),
            Py::Not(x) => format!("not {}", x.child(3)),
            Py::And(xs) => xs.iter().map(|x| x.child(2)).collect::<Vec<_>>().join(" and "),
            Py::Or(xs) => xs.iter().map(|x| x.child(1)).collect::<Vec<_>>().join(" or "),
        }
    }

    fn child(&self, parent: u8) -> String {
        // An `and` inside an `or` is parenthesised for the reader, though Python needs no parens.
        let clarify = parent == 1 && matches!(self, Py::And(_));
        if clarify || (self.prec() <= parent && !matches!(self, Py::Not(_) if parent < 3)) {
            format!("({})", self.render())
        } else {
            self.render()
        }
    }

    /// Render as the body of `return`, one top-level operand per line when there are several.
    pub fn render_return(&self, indent: &str) -> String {
        let (items, sep) = match self {
            Py::And(xs) if xs.len() > 1 => (xs, "and"),
            Py::Or(xs) if xs.len() > 1 => (xs, "or"),
            other => return format!("{indent}return {}\n", other.render()),
        };
        let parent = if sep == "and" { 2 } else { 1 };
        let mut out = format!("{indent}return (\n");
        for (i, x) in items.iter().enumerate() {
            let lead = if i == 0 { String::new() } else { format!("{sep} ") };
            out.push_str(&format!("{indent}    {lead}{}\n", x.child(parent)));
        }
        out.push_str(&format!("{indent})\n"));
        out
    }
}

/// A Python string literal that evaluates to exactly `s`: quotes, backslashes, newlines,
/// `"""`, `{}`, NUL and every other control or separator character are escaped.
pub(crate) fn py_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A scalar IR value as a Python literal; `None` for values that are not scalars.
pub(crate) fn py_value(v: &Value) -> Option<String> {
    Some(match v {
        Value::Str(s) => py_str(s),
        Value::Int(i) => i.to_string(),
        Value::Float(f) if f.is_finite() => {
            let s = format!("{f:?}");
            if s.contains(['.', 'e']) {
                s
            } else {
                format!("{s}.0")
            }
        }
        Value::Float(f) if f.is_nan() => "float(\"nan\")".into(),
        Value::Float(f) => if *f > 0.0 { "float(\"inf\")" } else { "float(\"-inf\")" }.into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        _ => return None,
    })
}

/// A comment line that cannot break out of the comment: control characters are escaped.
pub(crate) fn comment(text: &str) -> String {
    let inner = py_str(text);
    format!("# {}\n", &inner[1..inner.len() - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_data() {
        assert_eq!(py_str("a\"b\\c\nd\0"), r#""a\"b\\c\nd\x00""#);
        assert_eq!(py_str("\"\"\"{x}"), r#""\"\"\"{x}""#);
        assert_eq!(py_str("é\u{2028}"), "\"é\\u2028\"");
    }

    #[test]
    fn precedence() {
        let a = Py::atom("a == 1");
        let b = Py::atom("b");
        let e = Py::and(vec![Py::or(vec![a.clone(), b.clone()]), Py::not(Py::and(vec![a, b]))]);
        assert_eq!(e.render(), "(a == 1 or b) and not (a == 1 and b)");
    }
}
