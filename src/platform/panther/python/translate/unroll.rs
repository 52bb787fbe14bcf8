//! Loops over values known here (a constant collection, or a list built in the rule), read
//! one iteration after another: exact whatever the body does, `break` and `continue` too.
//!
//! The loop becomes a statement list: a marker binding the variable to the first item, the
//! body, a marker for the next item, the body again … an end marker, then what follows the
//! loop. Markers are `pass` statements made here and known by address, so the rest of the
//! translator reads them as ordinary statements: `continue` jumps to the next marker and
//! `break` to the end marker, and `if` branches that fall through carry the remaining
//! iterations with them, as they carry any other following statements.

use super::values::Alt;
use super::*;

/// What a marker statement does.
#[derive(Debug, Clone)]
pub(super) enum Mark {
    /// Start of an iteration: bind the loop variable.
    Bind(String, Sym),
    /// After the last iteration (where `break` goes).
    End,
}

/// More iterations than this are not unrolled (each one repeats the body).
const MAX_ITEMS: usize = 32;
/// Nor a loop whose unrolled statements, with what follows it, would be more than this.
const MAX_STATEMENTS: usize = 600;

fn addr(s: &Stmt) -> usize {
    s as *const Stmt as usize
}

impl<'m, 'd> Translator<'m, 'd> {
    /// Whether `s` is a marker of a loop being unrolled; a start marker binds its item.
    pub(super) fn unrolled_mark(&mut self, s: &Stmt) -> bool {
        match self.marks.get(&addr(s)).cloned() {
            Some(Mark::Bind(var, item)) => {
                self.bind(var, item);
                true
            }
            Some(Mark::End) => true,
            None => false,
        }
    }

    /// Where a `break` / `continue` in an unrolled loop goes on in `rest`: the end marker, or
    /// the next marker. The first marker ahead is always the innermost unrolled loop's (an
    /// inner loop's markers exist only while it is being read).
    pub(super) fn jump(&self, s: &Stmt, rest: &[&Stmt]) -> Option<usize> {
        if self.loop_returns.is_some() {
            return None; // inside a loop read element by element
        }
        let to_end = matches!(s, Stmt::Break(_));
        rest.iter().position(|r| match self.marks.get(&addr(r)) {
            Some(Mark::End) => true,
            Some(Mark::Bind(..)) => !to_end,
            None => false,
        })
    }

    /// `for var in items: body`, then `rest`, read by `run` (as a truth value or as values).
    pub(super) fn unrolled<T>(
        &mut self,
        f: &ast::StmtFor,
        items: Vec<Sym>,
        rest: &[&Stmt],
        run: impl FnOnce(&mut Self, &[&Stmt]) -> R<T>,
    ) -> R<T> {
        let PyExpr::Name(var) = &*f.target else {
            return self.fail("a loop target that is not a name", &*f.target);
        };
        if !f.orelse.is_empty() || f.is_async {
            return self.fail("a `for … else` loop", f);
        }
        // The translator recurses once per statement on a path: keep the unrolled list short.
        if items.len() > MAX_ITEMS || (items.len() + 1) * (f.body.len() + 1) + rest.len() > MAX_STATEMENTS {
            let msg = format!(
                "a loop too long to read one iteration at a time (over {MAX_ITEMS} items or {MAX_STATEMENTS} statements)"
            );
            return self.fail(msg, f);
        }
        let range = ruff_text_size::Ranged::range(f);
        let marks: Vec<Stmt> = (0..=items.len())
            .map(|_| Stmt::Pass(ast::StmtPass { node_index: Default::default(), range }))
            .collect();
        let mut stmts: Vec<&Stmt> = Vec::new();
        for (mark, item) in marks.iter().zip(items) {
            self.marks.insert(addr(mark), Mark::Bind(var.id.to_string(), item));
            stmts.push(mark);
            stmts.extend(f.body.iter());
        }
        let end = &marks[marks.len() - 1];
        self.marks.insert(addr(end), Mark::End);
        stmts.push(end);
        stmts.extend(rest.iter().copied());
        let out = run(self, &stmts);
        for m in &marks {
            self.marks.remove(&addr(m));
        }
        out
    }

    /// The items of a loop's iterable when they are known here.
    pub(super) fn known_items(&mut self, iter: &PyExpr) -> R<Option<Vec<Sym>>> {
        Ok(match self.sym(iter)? {
            Sym::Lit(Json::Array(items)) => Some(items.into_iter().map(Sym::Lit).collect()),
            Sym::Lit(Json::Object(m)) => Some(m.keys().cloned().map(|k| Sym::Lit(Json::String(k))).collect()),
            Sym::Seq(items) => Some(items),
            Sym::Dict(items) => Some(items.into_iter().map(|(k, _)| Sym::Lit(Json::String(k))).collect()),
            _ => None,
        })
    }

    /// A `for` loop in a helper that returns values.
    pub(super) fn for_value(&mut self, f: &ast::StmtFor, rest: &[&Stmt]) -> R<Vec<Alt>> {
        match self.known_items(&f.iter)? {
            Some(items) if self.loop_returns.is_none() => {
                self.unrolled(f, items, rest, |t, stmts| t.block_value(stmts))
            }
            _ => self.loop_value(f, rest),
        }
    }

    /// `[elt for var in items if cond]` over items known here, with conditions decided here.
    pub(super) fn list_comp(&mut self, lc: &ast::ExprListComp) -> R<Sym> {
        let [comp] = &lc.generators[..] else {
            return self.fail("a list comprehension with several `for`s", lc);
        };
        let PyExpr::Name(var) = &comp.target else {
            return self.fail("a comprehension target that is not a name", &comp.target);
        };
        let Some(items) = self.known_items(&comp.iter)?.filter(|_| !comp.is_async) else {
            return self.fail("a list comprehension over values read from the event", lc);
        };
        let mut out = Vec::new();
        for item in items {
            self.scopes.push(HashMap::from([(var.id.to_string(), item)]));
            let value = self.comprehension_item(&comp.ifs, &lc.elt);
            self.scopes.pop();
            out.extend(value?);
        }
        Ok(if out.iter().all(|s| matches!(s, Sym::Lit(_))) {
            Sym::Lit(Json::Array(
                out.into_iter().filter_map(|s| if let Sym::Lit(v) = s { Some(v) } else { None }).collect(),
            ))
        } else {
            Sym::Seq(out)
        })
    }

    fn comprehension_item(&mut self, ifs: &[PyExpr], elt: &PyExpr) -> R<Option<Sym>> {
        for cond in ifs {
            match crate::passes::simplify(self.bool_of(cond)?).kind {
                ExprKind::Const(true) => {}
                ExprKind::Const(false) => return Ok(None),
                _ => return self.fail("a comprehension condition that depends on the event", cond),
            }
        }
        self.sym(elt).map(Some)
    }
}
