//! `isinstance` → type tests, as Panther hands values to rules.

use super::compare::*;
use super::*;

impl<'m, 'd> Translator<'m, 'd> {
    /// `isinstance(value, T)`. Panther hands rules lists and mappings wrapped (`ImmutableList`,
    /// `ImmutableCaseInsensitiveDict`), so for a value read from the event `list`, `tuple` and
    /// `dict` never hold while `Sequence`, `Mapping` and `ImmutableList` do; a literal default
    /// is a plain Python value. Scalars test their JSON type (`int` includes booleans).
    pub(super) fn isinstance(&mut self, value: &PyExpr, ty: &PyExpr, c: &ast::ExprCall) -> R<Expr> {
        let mut names = Vec::new();
        match ty {
            PyExpr::Tuple(t) => names.extend(t.elts.iter().map(type_name)),
            other => names.push(type_name(other)),
        }
        let Some(names) = names.into_iter().collect::<Option<Vec<&str>>>() else {
            return self.fail("isinstance with a type that is not a plain name", ty);
        };
        let mut tests = Vec::new();
        match self.sym(value)? {
            Sym::Lit(v) => {
                for n in names {
                    match literal_isinstance(&v, n) {
                        Some(b) => tests.push(Expr::constant(b, None)),
                        None => return self.fail(format!("isinstance of a constant with `{n}`"), ty),
                    }
                }
                Ok(Expr::or(tests, None))
            }
            Sym::Field(f) if f.fold.is_none() => {
                let mut on_default = false;
                for n in names {
                    let Some(test) = event_isinstance(&f, n) else {
                        return self.fail(format!("an isinstance test with `{n}`"), ty);
                    };
                    match literal_isinstance(&f.default, n) {
                        Some(b) => on_default |= b,
                        None => return self.fail(format!("isinstance with `{n}` of a list default"), ty),
                    }
                    tests.push(test);
                }
                Ok(f.exact_given(Expr::or(tests, None), on_default))
            }
            _ => self.fail("isinstance of something other than a field or a constant", c),
        }
    }
}

/// The last name of a type: `Mapping`, `collections.abc.Mapping` → `Mapping`.
fn type_name(e: &PyExpr) -> Option<&str> {
    match e {
        PyExpr::Name(n) => Some(n.id.as_str()),
        PyExpr::Attribute(a) => Some(a.attr.as_str()),
        _ => None,
    }
}

/// `isinstance(v, name)` for a value read from the event (see `isinstance`).
fn event_isinstance(f: &FieldRef, name: &str) -> Option<Expr> {
    let is = |op| f.pred(op, vec![]);
    Some(match name {
        "str" => string_test(f),
        "int" => Expr::or(vec![is(Op::IsInteger), is(Op::IsBool)], None),
        "float" => is(Op::IsFloat),
        "bool" => is(Op::IsBool),
        "Mapping" | "ImmutableCaseInsensitiveDict" => is(Op::IsObject),
        "ImmutableList" => is(Op::IsList),
        "Sequence" => Expr::or(vec![is(Op::IsList), string_test(f)], None),
        "list" | "tuple" | "set" | "frozenset" | "dict" | "bytes" | "MagicMock" => {
            Expr::constant(false, None)
        }
        _ => return None,
    })
}

/// `isinstance(v, name)` for a plain Python constant; `None` where a JSON value cannot tell
/// (a list literal may have been a tuple or a set).
fn literal_isinstance(v: &Json, name: &str) -> Option<bool> {
    Some(match name {
        "str" => v.is_string(),
        "int" => v.is_i64() || v.is_u64() || v.is_boolean(),
        "float" => v.is_f64(),
        "bool" => v.is_boolean(),
        "Mapping" | "dict" => v.is_object(),
        "ImmutableCaseInsensitiveDict" | "ImmutableList" | "bytes" | "MagicMock" => false,
        "list" | "tuple" | "set" | "frozenset" | "Sequence" if v.is_array() => return None,
        "list" | "tuple" | "set" | "frozenset" => false,
        "Sequence" => v.is_string(),
        _ => return None,
    })
}
