//! Regexes (`re.match` / `search` / `fullmatch`, compiled patterns, their flags) and
//! `fnmatch` globs → predicates.

use super::compare::*;
use super::*;

impl<'m, 'd> Translator<'m, 'd> {
    pub(super) fn regex_call_name(&mut self, c: &ast::ExprCall) -> R<Expr> {
        match &*c.func {
            PyExpr::Attribute(a) => {
                let func = a.attr.to_string();
                self.regex(&func, c)
            }
            _ => self.fail("this call", c),
        }
    }

    pub(super) fn regex(&mut self, func: &str, c: &ast::ExprCall) -> R<Expr> {
        let args = &c.arguments.args;
        let (Some(pat), Some(subject)) = (args.first(), args.get(1)) else {
            return self.fail("re call without a pattern and a subject", c);
        };
        let Sym::Lit(Json::String(pattern)) = self.sym(pat)? else {
            return self.fail("a regex that is not a literal", pat);
        };
        let mut pattern = pattern;
        let insensitive = self.regex_flags(args.iter().skip(2), c, &mut pattern)?;
        if regex::Regex::new(&pattern).is_err() {
            return self.fail("a regex the evaluator's engine cannot run", pat);
        }
        self.regex_on(func, &pattern, insensitive, subject)
    }

    /// `re.I` / `re.IGNORECASE` among a call's extra arguments and keywords; other flags fail.
    /// re.MULTILINE is written into the pattern as a scoped `(?m:…)` group, which Python and
    /// the evaluator's engine read alike; a pattern with `$` keeps it refused, since Python's
    /// `$` differs from the engine's (see `eval::python_dollar`).
    pub(super) fn regex_flags<'e>(
        &mut self,
        extra: impl Iterator<Item = &'e PyExpr>,
        c: &'e ast::ExprCall,
        pattern: &mut String,
    ) -> R<bool> {
        let mut flags = Vec::new();
        for flag in extra.chain(c.arguments.keywords.iter().map(|k| &k.value)) {
            flag_names(flag, &mut flags);
        }
        let mut insensitive = false;
        for flag in flags {
            match flag {
                Some("I" | "IGNORECASE") => insensitive = true,
                Some("M" | "MULTILINE") if crate::eval::python_dollar(pattern) == *pattern => {
                    *pattern = format!("(?m:{pattern})")
                }
                _ => return self.fail("regex flags other than re.IGNORECASE and re.MULTILINE", c),
            }
        }
        Ok(insensitive)
    }

    /// `re.<func>(pattern, subject)`: a match (not None) on the subject field.
    pub(super) fn regex_on(
        &mut self,
        func: &str,
        pattern: &str,
        insensitive: bool,
        subject: &PyExpr,
    ) -> R<Expr> {
        let Sym::Field(f) = self.sym(subject)? else {
            return self.fail("a regex over something other than a field", subject);
        };
        // A subject that is not a string (None included) raises TypeError: no alert.
        let text = f.exact(string_test(&f));
        self.guard(text);
        let case = if insensitive { Case::Insensitive } else { f.case() };
        let pattern = pattern.to_string();
        let anchor = match func {
            "match" => Anchor::Start,
            "fullmatch" => Anchor::Full,
            _ => Anchor::None,
        };
        let regex = Value::Regex(Regex { pattern, flavor: RegexFlavor::Python, anchor });
        let p = Expr::pred(Predicate::new(f.path.clone(), Op::Regex, vec![regex], case), None);
        Ok(f.exact(p))
    }

    /// `fnmatch(value, "pat*")`: a glob over the whole string (case-sensitive on POSIX);
    /// a non-string value raises.
    pub(super) fn fnmatch(&mut self, value: &PyExpr, pattern: &PyExpr) -> R<Expr> {
        let Sym::Lit(Json::String(pat)) = self.sym(pattern)? else {
            return self.fail("fnmatch with a pattern that is not a literal", pattern);
        };
        if pat.contains('[') {
            return self.fail("fnmatch with a `[…]` character class", pattern);
        }
        let f = match self.sym(value)? {
            Sym::Field(f) if f.fold.is_none() => f,
            _ => return self.fail("fnmatch of something other than a field", value),
        };
        if !matches!(f.default, Json::String(_)) {
            self.guard(string_test(&f));
        }
        let mut pieces = Vec::new();
        let mut lit = String::new();
        for ch in pat.chars() {
            match ch {
                '*' | '?' => {
                    if !lit.is_empty() {
                        pieces.push(crate::ir::Piece::Lit(std::mem::take(&mut lit)));
                    }
                    pieces.push(if ch == '*' {
                        crate::ir::Piece::AnyChars
                    } else {
                        crate::ir::Piece::AnyChar
                    });
                }
                other => lit.push(other),
            }
        }
        if !lit.is_empty() {
            pieces.push(crate::ir::Piece::Lit(lit));
        }
        let p = f.pred(Op::Wildcard, vec![Value::Pattern(crate::ir::Pattern(pieces))]);
        Ok(f.exact(p))
    }
}

/// `re.I | re.M` → the flags' names (`None` for anything that is not `re.NAME`).
fn flag_names<'e>(e: &'e PyExpr, out: &mut Vec<Option<&'e str>>) {
    match e {
        PyExpr::BinOp(b) if b.op == ast::Operator::BitOr => {
            flag_names(&b.left, out);
            flag_names(&b.right, out);
        }
        PyExpr::Attribute(a) if is_name(&a.value, "re") => out.push(Some(a.attr.as_str())),
        _ => out.push(None),
    }
}
