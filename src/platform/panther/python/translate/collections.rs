//! Collections built in the rule: list, tuple and dict displays whose items are not all
//! constants ([`Sym::Seq`], [`Sym::Dict`]), and assignments that unpack them.

use super::*;

impl<'m, 'd> Translator<'m, 'd> {
    /// `event["k"]`: like `get`, but an absent key raises (no alert): guarded.
    pub(super) fn subscript(&mut self, s: &ast::ExprSubscript) -> R<Sym> {
        let key = match self.sym(&s.slice)? {
            Sym::Lit(Json::String(k)) => Seg::Key(k),
            Sym::Lit(Json::Number(n)) if n.is_i64() => Seg::Index(n.as_i64().unwrap_or(0)),
            _ => return self.fail("a subscript with a non-constant key", s),
        };
        let base = self.sym(&s.value)?;
        if let (Sym::Split(p @ Piece { index: None, .. }), Seg::Index(i @ (0 | -1))) = (&base, &key) {
            return Ok(Sym::Split(Piece { index: Some(*i), ..p.clone() }));
        }
        if let (Sym::Dict(items), Seg::Key(k)) = (&base, &key) {
            return match items.iter().find(|(key, _)| key == k) {
                Some((_, v)) => Ok(v.clone()),
                None => self.fail("a key the dict does not have", s),
            };
        }
        if let (Sym::Seq(items), Seg::Index(i)) = (&base, &key) {
            let j = if *i < 0 { items.len() as i64 + i } else { *i };
            return match usize::try_from(j).ok().and_then(|j| items.get(j)) {
                Some(item) => Ok(item.clone()),
                None => self.fail("a subscript a list does not have", s),
            };
        }
        // A constant's item (`ACTIONS["add"]`); a missing one raises KeyError / IndexError.
        if let Sym::Lit(value) = &base {
            let item = match (value, &key) {
                (Json::Object(m), Seg::Key(k)) => m.get(k),
                (Json::Array(items), Seg::Index(i)) => {
                    let n = items.len() as i64;
                    let j = if *i < 0 { n + i } else { *i };
                    usize::try_from(j).ok().and_then(|j| items.get(j))
                }
                _ => None,
            };
            return match item {
                Some(v) => Ok(Sym::Lit(v.clone())),
                None => self.fail("a subscript a constant does not have", s),
            };
        }
        let path = match base {
            Sym::Event => FieldPath(vec![key]),
            Sym::Field(f) if f.fold.is_none() => FieldPath(f.path.0.into_iter().chain([key]).collect()),
            _ => return self.fail("a subscript of something other than the event", s),
        };
        self.guard(Expr::present(path.clone()));
        Ok(Sym::Field(FieldRef::new(path, Json::Null, false)))
    }

    /// A list, tuple or set display: a constant when every item is one. Otherwise a list or
    /// tuple is a [`Sym::Seq`]; a set is refused (building it hashes the items, which raises
    /// for lists and mappings, and it has no order).
    pub(super) fn lit_seq<'a>(&mut self, items: impl Iterator<Item = &'a PyExpr>, node: &PyExpr) -> R<Sym> {
        let mut syms = Vec::new();
        for item in items {
            if matches!(item, PyExpr::Starred(_)) {
                return self.fail("an unpacking (`*x`) inside a collection", item);
            }
            syms.push(self.sym(item)?);
        }
        if syms.iter().all(|s| matches!(s, Sym::Lit(_))) {
            let values = syms.into_iter().filter_map(|s| if let Sym::Lit(v) = s { Some(v) } else { None });
            return Ok(Sym::Lit(Json::Array(values.collect())));
        }
        if matches!(node, PyExpr::Set(_)) {
            return self.fail("a set of non-constant values", node);
        }
        Ok(Sym::Seq(syms))
    }

    /// A dict display with constant string keys; a later key replaces an earlier one.
    pub(super) fn dict(&mut self, d: &ast::ExprDict, node: &PyExpr) -> R<Sym> {
        let mut items: Vec<(String, Sym)> = Vec::new();
        for item in &d.items {
            let (Some(k), v) = (&item.key, &item.value) else {
                return self.fail("a dict unpacking", node);
            };
            let Sym::Lit(Json::String(k)) = self.sym(k)? else {
                return self.fail("a dict with non-constant keys", node);
            };
            let v = self.sym(v)?;
            match items.iter_mut().find(|(key, _)| *key == k) {
                Some(slot) => slot.1 = v,
                None => items.push((k, v)),
            }
        }
        if items.iter().all(|(_, v)| matches!(v, Sym::Lit(_))) {
            let map =
                items.into_iter().filter_map(|(k, v)| if let Sym::Lit(v) = v { Some((k, v)) } else { None });
            return Ok(Sym::Lit(Json::Object(map.collect())));
        }
        Ok(Sym::Dict(items))
    }

    /// `name = value` or `a, b = value` (a tuple or list of as many items).
    pub(super) fn assign(&mut self, a: &ast::StmtAssign) -> R<()> {
        let [target] = a.targets.as_slice() else {
            return self.fail("an assignment to several targets", a);
        };
        let value = self.sym(&a.value)?;
        let names = match target {
            PyExpr::Name(n) => {
                self.bind(n.id.to_string(), value);
                return Ok(());
            }
            PyExpr::Tuple(ast::ExprTuple { elts, .. }) | PyExpr::List(ast::ExprList { elts, .. }) => elts
                .iter()
                .map(|t| match t {
                    PyExpr::Name(n) => Ok(n.id.to_string()),
                    other => self.fail("unpacking into something other than names", other),
                })
                .collect::<R<Vec<_>>>()?,
            _ => return self.fail("assignment to something other than a name", a),
        };
        match unpack(value, names.len()) {
            Some(items) => {
                for (n, s) in names.into_iter().zip(items) {
                    self.bind(n, s);
                }
                Ok(())
            }
            None => {
                self.fail(format!("unpacking a value that is not known to hold {} items", names.len()), a)
            }
        }
    }
}

/// The `n` items of a list or tuple value (of each alternative of a choice).
pub(super) fn unpack(value: Sym, n: usize) -> Option<Vec<Sym>> {
    match value {
        Sym::Seq(items) if items.len() == n => Some(items),
        Sym::Lit(Json::Array(items)) if items.len() == n => Some(items.into_iter().map(Sym::Lit).collect()),
        Sym::Choice(alts) => {
            let mut columns: Vec<Vec<(Expr, Sym)>> = vec![Vec::new(); n];
            for (cond, s) in alts {
                for (column, item) in columns.iter_mut().zip(unpack(s, n)?) {
                    column.push((cond.clone(), item));
                }
            }
            Some(columns.into_iter().map(Sym::Choice).collect())
        }
        _ => None,
    }
}
