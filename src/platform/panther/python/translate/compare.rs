//! Comparisons (`==`, `in`, `<`, `is` …) between symbolic values → predicates.

use super::*;

impl<'m, 'd> Translator<'m, 'd> {
    pub(super) fn compare_chain(&mut self, c: &ast::ExprCompare) -> R<Expr> {
        let mut left = &*c.left;
        let mut parts = Vec::new();
        for (op, right) in c.ops.iter().zip(c.comparators.iter()) {
            parts.push(self.compare(left, *op, right, c)?);
            left = right;
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Expr::and(parts, None) })
    }

    pub(super) fn compare(
        &mut self,
        left: &PyExpr,
        op: CmpOp,
        right: &PyExpr,
        node: &ast::ExprCompare,
    ) -> R<Expr> {
        // `re.match(...) is None`: a match object is None exactly when nothing matched.
        if matches!(op, CmpOp::Is | CmpOp::IsNot) {
            let regex_call = |e: &PyExpr| match e {
                PyExpr::Call(c) => matches!(&*c.func, PyExpr::Attribute(a)
                    if is_name(&a.value, "re") && matches!(a.attr.as_str(), "match" | "search" | "fullmatch")),
                _ => false,
            };
            let call = match (left, right) {
                (l, PyExpr::NoneLiteral(_)) if regex_call(l) => Some(l),
                (PyExpr::NoneLiteral(_), r) if regex_call(r) => Some(r),
                _ => None,
            };
            if let Some(PyExpr::Call(c)) = call {
                let matched = self.regex_call_name(c)?;
                return Ok(if op == CmpOp::IsNot { matched } else { Expr::not(matched, None) });
            }
        }
        if let (CmpOp::In | CmpOp::NotIn, PyExpr::Tuple(t)) = (op, left) {
            if let Some((rows, hashed)) = self.tuple_rows(right)? {
                return self.tuple_membership(op == CmpOp::NotIn, &t.elts, rows, hashed, node);
            }
        }
        let (l, r) = (self.sym(left)?, self.sym(right)?);
        self.compare_syms(op, l, r, node)
    }

    /// A constant collection of tuples (a display, or a module constant holding one), as
    /// rows of constants, and whether it is a set (membership then hashes the tuple).
    fn tuple_rows(&mut self, e: &PyExpr) -> R<Option<(Vec<Vec<Json>>, bool)>> {
        let display = match e {
            PyExpr::Name(n) if self.lookup(n.id.as_str()).is_none() => match self.consts.get(n.id.as_str()) {
                Some(c) => c.clone(),
                None => return Ok(None),
            },
            other => other.clone(),
        };
        let (elts, hashed) = match &display {
            PyExpr::Set(s) => (&s.elts, true),
            PyExpr::List(l) => (&l.elts, false),
            PyExpr::Tuple(t) => (&t.elts, false),
            _ => return Ok(None),
        };
        let mut rows = Vec::new();
        for item in elts {
            let PyExpr::Tuple(t) = item else { return Ok(None) };
            let mut row = Vec::new();
            for x in &t.elts {
                match self.sym(x)? {
                    Sym::Lit(v) if !v.is_array() && !v.is_object() => row.push(v),
                    _ => return Ok(None),
                }
            }
            rows.push(row);
        }
        Ok(Some((rows, hashed)))
    }

    /// `(a, b) in {(x, y), …}`: tuples are equal when their items are, pairwise.
    fn tuple_membership(
        &mut self,
        negate: bool,
        items: &[PyExpr],
        rows: Vec<Vec<Json>>,
        hashed: bool,
        node: &ast::ExprCompare,
    ) -> R<Expr> {
        let items: Vec<Sym> = items.iter().map(|x| self.sym(x)).collect::<R<_>>()?;
        // A set hashes the tuple: an item that may be a list or a mapping would raise.
        let hashable = |s: &Sym| {
            matches!(s, Sym::Lit(v) if !v.is_array() && !v.is_object())
                || matches!(s, Sym::Field(f) if f.fold.is_some())
                || matches!(s, Sym::Split(..))
        };
        if hashed && !items.iter().all(hashable) {
            return self.fail("membership of a tuple of values that may be unhashable in a set", node);
        }
        let mut alts = Vec::new();
        for row in rows.into_iter().filter(|r| r.len() == items.len()) {
            let mut parts = Vec::new();
            for (s, v) in items.iter().zip(row) {
                parts.push(self.compare_syms(CmpOp::Eq, s.clone(), Sym::Lit(v), node)?);
            }
            alts.push(Expr::and(parts, None));
        }
        let any = Expr::or(alts, None);
        Ok(if negate { Expr::not(any, None) } else { any })
    }

    /// `l op r` for symbolic values; a [`Sym::Choice`] on either side is compared alternative by
    /// alternative.
    pub(super) fn compare_syms(&mut self, op: CmpOp, l: Sym, r: Sym, node: &ast::ExprCompare) -> R<Expr> {
        // A pair of constants Python rejects (`"x" in None`) raises when that alternative is
        // taken.
        let rejects = |a: &Sym, b: &Sym| match (a, b) {
            (Sym::Lit(a), Sym::Lit(b)) => static_compare(op, a, b).is_none(),
            _ => false,
        };
        if let Sym::Choice(alts) = l {
            return self.each_alternative(alts, |t, s| {
                if rejects(&s, &r) {
                    return Ok(None);
                }
                t.compare_syms(op, s, r.clone(), node).map(Some)
            });
        }
        if let Sym::Choice(alts) = r {
            return self.each_alternative(alts, |t, s| {
                if rejects(&l, &s) {
                    return Ok(None);
                }
                t.compare_syms(op, l.clone(), s, node).map(Some)
            });
        }
        if let (CmpOp::In | CmpOp::NotIn, Sym::Lit(Json::String(k)), Sym::Dict(items)) = (op, &l, &r) {
            let found = items.iter().any(|(key, _)| key == k);
            return Ok(Expr::constant(found != (op == CmpOp::NotIn), None));
        }
        // `len(re.findall(…)) > 0` and the like: decided by whether there is a match.
        if let (Sym::Count(found), Sym::Lit(Json::Number(n)))
        | (Sym::Lit(Json::Number(n)), Sym::Count(found)) = (&l, &r)
        {
            let swapped = matches!(l, Sym::Lit(_));
            if let Some(holds) = count_compare(op, n.as_f64().unwrap_or(f64::NAN), swapped) {
                return Ok(match holds {
                    CountTest::Some => found.clone(),
                    CountTest::None => Expr::not(found.clone(), None),
                    CountTest::Always(b) => Expr::constant(b, None),
                });
            }
            return self.fail("a count of regex matches compared with a number other than 0 or 1", node);
        }
        // `x in [a, b]` with items built in the rule: `x == a or x == b`.
        if let (CmpOp::In | CmpOp::NotIn, Sym::Seq(items)) = (op, &r) {
            let mut parts = Vec::new();
            for item in items.clone() {
                parts.push(self.compare_syms(CmpOp::Eq, l.clone(), item, node)?);
            }
            let any = Expr::or(parts, None);
            return Ok(if op == CmpOp::NotIn { Expr::not(any, None) } else { any });
        }
        if matches!(l, Sym::Walked(_)) || matches!(r, Sym::Walked(_)) {
            // One value found comes back alone, several as a list: what `==` or `in` means
            // depends on the event's shape.
            return self.fail("a comparison with deep_walk's result (a value, or a list of values)", node);
        }
        let negate = matches!(op, CmpOp::NotEq | CmpOp::NotIn | CmpOp::IsNot);
        // A compiled pattern's match result is None exactly when nothing matched.
        if let (CmpOp::Is | CmpOp::IsNot | CmpOp::Eq | CmpOp::NotEq, Sym::Matched(m), Sym::Lit(Json::Null))
        | (CmpOp::Is | CmpOp::IsNot | CmpOp::Eq | CmpOp::NotEq, Sym::Lit(Json::Null), Sym::Matched(m)) =
            (op, &l, &r)
        {
            return Ok(if negate { m.clone() } else { Expr::not(m.clone(), None) });
        }
        let compound = |v: &Json| v.is_array() || v.is_object();
        let e = match (op, l, r) {
            // `x == []` / `x == {}`: Panther's wrapped list or mapping equals an empty literal
            // exactly when it is empty; other collections are not compared element-wise here.
            (CmpOp::Eq | CmpOp::NotEq, Sym::Field(f), Sym::Lit(v))
            | (CmpOp::Eq | CmpOp::NotEq, Sym::Lit(v), Sym::Field(f))
                if compound(&v) && f.fold.is_none() =>
            {
                let shape = match &v {
                    Json::Array(items) if items.is_empty() => Op::IsList,
                    Json::Object(m) if m.is_empty() => Op::IsObject,
                    _ => return self.fail("a comparison with a non-empty list or dict", node),
                };
                let p = Expr::and(vec![f.pred(shape, vec![]), f.pred(Op::IsEmpty, vec![])], None);
                f.exact(if negate { Expr::not(p, None) } else { p })
            }
            (CmpOp::In | CmpOp::NotIn, _, Sym::Lit(Json::Array(vs))) if vs.iter().any(compound) => {
                return self.fail("membership in a collection of lists or dicts", node)
            }
            (CmpOp::Eq | CmpOp::NotEq | CmpOp::Is | CmpOp::IsNot, Sym::Field(f), Sym::Lit(v))
            | (CmpOp::Eq | CmpOp::NotEq | CmpOp::Is | CmpOp::IsNot, Sym::Lit(v), Sym::Field(f)) => {
                let p = eq_pred(&f, &[v]);
                f.exact(if negate { Expr::not(p, None) } else { p })
            }
            (CmpOp::In | CmpOp::NotIn, Sym::Field(f), Sym::Lit(Json::Object(m))) => {
                let keys: Vec<Json> = m.keys().cloned().map(Json::String).collect();
                let p = eq_pred(&f, &keys);
                f.exact(if negate { Expr::not(p, None) } else { p })
            }
            (CmpOp::In | CmpOp::NotIn, Sym::Field(f), Sym::Lit(Json::Array(vs))) => {
                let p = eq_pred(&f, &vs);
                f.exact(if negate { Expr::not(p, None) } else { p })
            }
            // `"k" in event`: the key is present (its value may be null).
            (CmpOp::In | CmpOp::NotIn, Sym::Lit(Json::String(k)), Sym::Event) => {
                let present = Expr::present(FieldPath::key(k));
                if negate {
                    Expr::not(present, None)
                } else {
                    present
                }
            }
            (CmpOp::In | CmpOp::NotIn, Sym::Lit(Json::String(s)), Sym::Field(f)) => {
                let p = match f.fold {
                    Some(Fold::Lower) if s != s.to_lowercase() => Expr::constant(false, None),
                    Some(Fold::Upper) if s != s.to_uppercase() => Expr::constant(false, None),
                    // A folded value is a string (or the fold raised): a substring test.
                    Some(_) => f.pred(Op::Contains, vec![Value::Str(s)]),
                    // A substring of a string, an item of a list, a key of a mapping (its value
                    // may be null); `in` raises TypeError on anything else (None, numbers).
                    None => {
                        let holder = Expr::or(
                            vec![string_test(&f), f.pred(Op::IsList, vec![]), f.pred(Op::IsObject, vec![])],
                            None,
                        );
                        let holder = f.exact(holder);
                        self.guard(holder);
                        let mut key = f.path.clone();
                        key.0.push(Seg::Key(s.clone()));
                        Expr::or(vec![f.pred(Op::Contains, vec![Value::Str(s)]), Expr::present(key)], None)
                    }
                };
                f.exact(if negate { Expr::not(p, None) } else { p })
            }
            (CmpOp::Eq | CmpOp::NotEq | CmpOp::In | CmpOp::NotIn, Sym::Split(piece), Sym::Lit(v))
            | (CmpOp::Eq | CmpOp::NotEq, Sym::Lit(v), Sym::Split(piece))
                if piece.index.is_some() =>
            {
                let values = if matches!(op, CmpOp::In | CmpOp::NotIn) { list_of(&v) } else { vec![v] };
                let p = split_pred(&piece, &values);
                piece.f.exact(if negate { Expr::not(p, None) } else { p })
            }
            (CmpOp::Eq | CmpOp::NotEq | CmpOp::In | CmpOp::NotIn, Sym::Str(f), Sym::Lit(v))
            | (CmpOp::Eq | CmpOp::NotEq, Sym::Lit(v), Sym::Str(f)) => {
                let values = if matches!(op, CmpOp::In | CmpOp::NotIn) { list_of(&v) } else { vec![v] };
                let Some(p) = str_pred(&f, &values) else {
                    return self
                        .fail("str() compared with a value whose string forms are not modelled", node);
                };
                f.exact(if negate { Expr::not(p, None) } else { p })
            }
            (CmpOp::Lt | CmpOp::LtE | CmpOp::Gt | CmpOp::GtE, Sym::Field(f), Sym::Lit(v)) => {
                f.exact(order(&f, op, &v, false)?)
            }
            (CmpOp::Lt | CmpOp::LtE | CmpOp::Gt | CmpOp::GtE, Sym::Lit(v), Sym::Field(f)) => {
                f.exact(order(&f, op, &v, true)?)
            }
            (CmpOp::Eq | CmpOp::NotEq, Sym::Field(a), Sym::Field(b))
                if a.fold.is_none() && b.fold.is_none() =>
            {
                let p = a.pred(Op::Eq, vec![Value::Field(b.path.clone())]);
                if negate {
                    Expr::not(p, None)
                } else {
                    p
                }
            }
            (_, Sym::Lit(a), Sym::Lit(b)) => match static_compare(op, &a, &b) {
                Some(v) => Expr::constant(v, None),
                None => return self.fail("a comparison of constants Python would reject", node),
            },
            (CmpOp::Eq | CmpOp::NotEq | CmpOp::Is | CmpOp::IsNot, Sym::Bool(b), Sym::Lit(Json::Bool(v)))
            | (CmpOp::Eq | CmpOp::NotEq | CmpOp::Is | CmpOp::IsNot, Sym::Lit(Json::Bool(v)), Sym::Bool(b)) => {
                if v != negate {
                    b
                } else {
                    Expr::not(b, None)
                }
            }
            _ => return self.fail(format!("this `{}` comparison", op.as_str()), node),
        };
        Ok(e)
    }
}

pub(super) fn list_of(v: &Json) -> Vec<Json> {
    match v {
        Json::Array(items) => items.clone(),
        Json::Object(m) => m.keys().cloned().map(Json::String).collect(),
        other => vec![other.clone()],
    }
}

/// `field.split(sep)[0|-1] in values`: the first / last piece equals a value, i.e. the whole
/// value matches `v(sep…)?` / `(…sep)?v`. Values containing `sep` can never be a piece. A
/// stripped piece may have whitespace around the value (Python's, which `\s` and the
/// separator controls \x1c-\x1f make up), and equals no value that has some itself.
pub(super) fn split_pred(piece: &Piece, values: &[Json]) -> Expr {
    let (f, sep) = (&piece.f, piece.sep);
    let alts: Vec<String> = fold_values(f, values.to_vec())
        .into_iter()
        .filter_map(|v| match v {
            Value::Str(s) if s.contains(sep) => None,
            Value::Str(s) if piece.stripped && s.trim_matches(python_space) != s => None,
            Value::Str(s) => Some(regex::escape(&s)),
            _ => None,
        })
        .collect();
    if alts.is_empty() {
        return Expr::constant(false, None);
    }
    let sep = regex::escape(&sep.to_string());
    let space = if piece.stripped { r"[\s\x1c-\x1f]*" } else { "" };
    let alts = format!("{space}(?:{})", alts.join("|")) + space;
    let pattern =
        if piece.index == Some(0) { format!("{alts}(?s:{sep}.*)?") } else { format!("(?s:.*{sep})?{alts}") };
    let regex = Value::Regex(Regex { pattern, flavor: RegexFlavor::Python, anchor: Anchor::Full });
    Expr::pred(Predicate::new(f.path.clone(), Op::Regex, vec![regex], f.case()), None)
}

/// Python's whitespace (`str.isspace`): Unicode's, and the separator controls.
fn python_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// `str(field) == "v"`: the string "v", or an integer / boolean / None whose `str()` is "v".
pub(super) fn str_pred(f: &FieldRef, values: &[Json]) -> Option<Expr> {
    let mut parts = Vec::new();
    for v in values {
        let Json::String(s) = v else { return None };
        parts.push(f.pred(Op::Eq, vec![Value::Str(s.clone())]));
        match s.as_str() {
            "None" => parts.push(f.pred(Op::IsNull, vec![])),
            "True" | "False" => parts.push(f.pred(Op::Eq, vec![Value::Bool(s == "True")])),
            _ => {
                if let Ok(i) = s.parse::<i64>() {
                    if i.to_string() == *s {
                        parts.push(f.pred(Op::Eq, vec![Value::Int(i)]));
                    }
                } else if s.parse::<f64>().is_ok() || s.eq_ignore_ascii_case("nan") || s.contains("inf") {
                    return None; // float repr rules are not modelled
                }
            }
        }
    }
    Some(Expr::or(parts, None))
}

/// Equality with one or several literals, honouring `.lower()` / `.upper()`.
pub(super) fn eq_pred(f: &FieldRef, values: &[Json]) -> Expr {
    if values.iter().all(Json::is_null) {
        return f.pred(Op::IsNull, vec![]);
    }
    let vals = fold_values(f, values.to_vec());
    if vals.is_empty() {
        return Expr::constant(false, None);
    }
    string_guarded(f, f.pred(Op::Eq, vals))
}

/// Literals as IR values; with a fold, only strings already in folded form can ever match.
pub(super) fn fold_values(f: &FieldRef, values: Vec<Json>) -> Vec<Value> {
    values
        .into_iter()
        .filter_map(|v| match (v, f.fold) {
            (Json::String(s), Some(Fold::Lower)) => (s == s.to_lowercase()).then_some(Value::Str(s)),
            (Json::String(s), Some(Fold::Upper)) => {
                (s == s.to_uppercase()).then_some(Value::Str(s.to_lowercase()))
            }
            (_, Some(_)) => None,
            (Json::String(s), None) => Some(Value::Str(s)),
            (Json::Bool(b), None) => Some(Value::Bool(b)),
            (Json::Number(n), None) => {
                Some(n.as_i64().map_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN)), Value::Int))
            }
            (Json::Null, None) => Some(Value::Null),
            _ => None,
        })
        .collect()
}

/// A folded value is a string (or the rule raised); the IR's insensitive predicates only
/// match strings anyway, so nothing to add beyond the predicate itself.
pub(super) fn string_guarded(_f: &FieldRef, p: Expr) -> Expr {
    p
}

/// "The value is a string": the only values `startswith("")` holds for.
pub(super) fn string_test(f: &FieldRef) -> Expr {
    Expr::pred(
        Predicate::new(f.path.clone(), Op::StartsWith, vec![Value::Str(String::new())], Case::Sensitive),
        None,
    )
}

pub(super) fn order(f: &FieldRef, op: CmpOp, v: &Json, swapped: bool) -> Result<Expr, Fail> {
    let op = match (op, swapped) {
        (CmpOp::Lt, false) | (CmpOp::Gt, true) => Op::Lt,
        (CmpOp::LtE, false) | (CmpOp::GtE, true) => Op::Le,
        (CmpOp::Gt, false) | (CmpOp::Lt, true) => Op::Gt,
        _ => Op::Ge,
    };
    let value = match v {
        Json::Number(n) => {
            n.as_i64().map_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN)), Value::Int)
        }
        Json::String(s) if f.fold.is_none() => Value::Str(s.clone()),
        _ => {
            return Err(Fail { msg: "an ordering comparison with this value".into(), span: Span::default() })
        }
    };
    Ok(f.pred(op, vec![value]))
}

pub(super) fn static_compare(op: CmpOp, a: &Json, b: &Json) -> Option<bool> {
    Some(match op {
        CmpOp::Eq | CmpOp::Is => a == b,
        CmpOp::NotEq | CmpOp::IsNot => a != b,
        CmpOp::In => match b {
            Json::Array(items) => items.contains(a),
            Json::String(s) => s.contains(a.as_str()?),
            _ => return None,
        },
        CmpOp::NotIn => !static_compare(CmpOp::In, a, b)?,
        CmpOp::Lt | CmpOp::LtE | CmpOp::Gt | CmpOp::GtE => {
            // Numbers (booleans count as 0 and 1) or two strings; Python rejects other pairs.
            let num = |v: &Json| match v {
                Json::Bool(b) => Some(f64::from(u8::from(*b))),
                other => other.as_f64(),
            };
            let ord = match (a, b) {
                (Json::String(x), Json::String(y)) => x.cmp(y),
                _ => num(a)?.partial_cmp(&num(b)?)?,
            };
            match op {
                CmpOp::Lt => ord.is_lt(),
                CmpOp::LtE => ord.is_le(),
                CmpOp::Gt => ord.is_gt(),
                _ => ord.is_ge(),
            }
        }
    })
}

/// What `count op n` says when all that is known is whether the count is 0 or at least 1.
enum CountTest {
    Some,
    None,
    Always(bool),
}

/// `count op n` (or `n op count` when `swapped`) for a count that is 0 or any number >= 1:
/// `None` when it depends on how many matches there are.
fn count_compare(op: CmpOp, n: f64, swapped: bool) -> Option<CountTest> {
    let op = match (op, swapped) {
        (CmpOp::Lt, true) => CmpOp::Gt,
        (CmpOp::Gt, true) => CmpOp::Lt,
        (CmpOp::LtE, true) => CmpOp::GtE,
        (CmpOp::GtE, true) => CmpOp::LtE,
        (op, _) => op,
    };
    // Whether `count op n` is the same for every count >= 1.
    let same_above_zero = match op {
        CmpOp::Gt | CmpOp::LtE => n < 1.0,
        CmpOp::GtE | CmpOp::Lt => n <= 1.0,
        CmpOp::Eq | CmpOp::NotEq => n < 1.0 || n.fract() != 0.0,
        _ => false,
    };
    if !same_above_zero {
        return None;
    }
    let at = |c: f64| match op {
        CmpOp::Eq => c == n,
        CmpOp::NotEq => c != n,
        CmpOp::Lt => c < n,
        CmpOp::LtE => c <= n,
        CmpOp::Gt => c > n,
        _ => c >= n,
    };
    Some(match (at(0.0), at(1.0)) {
        (false, true) => CountTest::Some,
        (true, false) => CountTest::None,
        (b, _) => CountTest::Always(b),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decided(op: CmpOp, n: f64, swapped: bool) -> Option<(bool, bool)> {
        // (holds with no match, holds with matches)
        count_compare(op, n, swapped).map(|t| match t {
            CountTest::Some => (false, true),
            CountTest::None => (true, false),
            CountTest::Always(b) => (b, b),
        })
    }

    #[test]
    fn counts_compared_with_zero_and_one() {
        assert_eq!(decided(CmpOp::Gt, 0.0, false), Some((false, true)));
        assert_eq!(decided(CmpOp::GtE, 1.0, false), Some((false, true)));
        assert_eq!(decided(CmpOp::Eq, 0.0, false), Some((true, false)));
        assert_eq!(decided(CmpOp::Lt, 1.0, false), Some((true, false)));
        assert_eq!(decided(CmpOp::Lt, 0.0, true), Some((false, true)), "0 < count");
        assert_eq!(decided(CmpOp::GtE, 0.0, false), Some((true, true)));
        assert_eq!(decided(CmpOp::Eq, 1.5, false), Some((false, false)));
    }

    #[test]
    fn counts_that_depend_on_how_many_are_refused() {
        assert!(decided(CmpOp::Gt, 1.0, false).is_none());
        assert!(decided(CmpOp::Eq, 2.0, false).is_none());
        assert!(decided(CmpOp::Lt, 3.0, false).is_none());
        assert!(decided(CmpOp::Eq, 1.0, false).is_none());
    }
}
