//! Calls and methods: predicates in boolean position (`startswith`, `any`, `bool`, and via
//! `patterns` and `types` the regexes, `fnmatch` and `isinstance`), and values (`get`,
//! `deep_get`, `deep_walk`, `udm`, `len`, `str`, helpers …).

use super::compare::*;
use super::*;

impl<'m, 'd> Translator<'m, 'd> {
    /// A call in boolean position that maps to a predicate, or `None` to treat it as a value.
    pub(super) fn call_bool(&mut self, c: &ast::ExprCall) -> R<Option<Expr>> {
        let args = &c.arguments.args;
        match &*c.func {
            PyExpr::Attribute(a) if matches!(a.attr.as_str(), "startswith" | "endswith") => {
                let recv = self.sym(&a.value)?;
                if !matches!(recv, Sym::Field(_) | Sym::Choice(_) | Sym::Lit(_)) {
                    return Ok(None);
                }
                let [arg] = &args[..] else {
                    return self.fail("startswith/endswith with several arguments", c);
                };
                let values = match self.sym(arg)? {
                    Sym::Lit(Json::String(s)) => vec![s],
                    Sym::Lit(Json::Array(items)) => {
                        items.iter().filter_map(|i| i.as_str().map(String::from)).collect()
                    }
                    _ => return self.fail("startswith/endswith of a non-literal", arg),
                };
                self.affix(a.attr.as_str() == "startswith", recv, &values, c).map(Some)
            }
            PyExpr::Name(n) if matches!(n.id.as_str(), "any" | "all") => {
                let any = n.id.as_str() == "any";
                match &args[..] {
                    [PyExpr::List(ast::ExprList { elts, .. }) | PyExpr::Tuple(ast::ExprTuple { elts, .. })] =>
                    {
                        let items: Vec<Expr> = elts.iter().map(|x| self.bool_of(x)).collect::<R<_>>()?;
                        Ok(Some(if any { Expr::or(items, None) } else { Expr::and(items, None) }))
                    }
                    _ => self.quantified(any, c).map(Some),
                }
            }
            PyExpr::Name(n) if n.id.as_str() == "bool" && args.len() == 1 => self.bool_of(&args[0]).map(Some),
            PyExpr::Name(n) if n.id.as_str() == "isinstance" && args.len() == 2 => {
                self.isinstance(&args[0], &args[1], c).map(Some)
            }
            PyExpr::Attribute(a)
                if is_name(&a.value, "re") && matches!(a.attr.as_str(), "match" | "search" | "fullmatch") =>
            {
                self.regex(a.attr.as_str(), c).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// `recv.startswith(values)` / `.endswith(values)` (any of them).
    fn affix(&mut self, start: bool, recv: Sym, values: &[String], c: &ast::ExprCall) -> R<Expr> {
        match recv {
            Sym::Field(f) => {
                let op = if start { Op::StartsWith } else { Op::EndsWith };
                let values = fold_values(&f, values.iter().cloned().map(Json::String).collect());
                if values.is_empty() {
                    return Ok(Expr::constant(false, None));
                }
                Ok(f.exact(string_guarded(&f, f.pred(op, values))))
            }
            Sym::Lit(Json::String(s)) => {
                let hit = values.iter().any(|v| {
                    if start {
                        s.starts_with(v.as_str())
                    } else {
                        s.ends_with(v.as_str())
                    }
                });
                Ok(Expr::constant(hit, None))
            }
            // An alternative that is not a string has no such method: Python raises.
            Sym::Choice(alts) => self.each_alternative(alts, |t, s| match s {
                Sym::Lit(ref v) if !v.is_string() => Ok(None),
                s => t.affix(start, s, values, c).map(Some),
            }),
            // False, None, numbers, collections: no such method, Python raises.
            Sym::Lit(_) => {
                self.guard(Expr::constant(false, None));
                Ok(Expr::constant(false, None))
            }
            _ => self.fail("startswith/endswith of something other than a string", c),
        }
    }

    /// `any(test for x in …)` / `all(...)`: see `loops`.
    pub(super) fn quantified(&mut self, any: bool, c: &ast::ExprCall) -> R<Expr> {
        let [PyExpr::Generator(g)] = &c.arguments.args[..] else {
            return self.fail("any/all over something other than a generator", c);
        };
        self.generator(any, g)
    }

    /// The values of `f`'s parameters at call `c`: positional arguments, then keyword
    /// arguments by name, then the parameters' defaults (read in `f`'s module).
    pub(super) fn bind_args(&mut self, f: &Func, c: &ast::ExprCall) -> R<Vec<Sym>> {
        let params = &f.def.parameters;
        if params.vararg.is_some() || params.kwarg.is_some() || !params.kwonlyargs.is_empty() {
            return self.fail(
                format!("call of `{}`, which takes *args or keyword-only arguments", f.def.name.id),
                c,
            );
        }
        let positional = &c.arguments.args;
        if positional.len() > params.args.len() || positional.iter().any(|a| matches!(a, PyExpr::Starred(_)))
        {
            return self.fail(format!("call of `{}` with a different signature", f.def.name.id), c);
        }
        let mut bound: Vec<Option<Sym>> = vec![None; params.args.len()];
        for (slot, arg) in bound.iter_mut().zip(positional) {
            *slot = Some(self.sym(arg)?);
        }
        for kw in &c.arguments.keywords {
            let name = kw.arg.as_ref().map(|a| a.id.as_str());
            let Some(i) = params.args.iter().position(|p| Some(p.parameter.name.id.as_str()) == name) else {
                return self.fail(format!("call of `{}` with a different signature", f.def.name.id), kw);
            };
            if bound[i].is_some() {
                return self.fail(format!("call of `{}` with a different signature", f.def.name.id), kw);
            }
            bound[i] = Some(self.sym(&kw.value)?);
        }
        let mut out = Vec::new();
        for (slot, p) in bound.into_iter().zip(&params.args) {
            match (slot, &p.default) {
                (Some(s), _) => out.push(s),
                (None, Some(default)) => {
                    let saved = (std::mem::replace(&mut self.file, f.file), self.consts.clone());
                    self.consts = f.consts.clone();
                    let value = self.sym(default);
                    (self.file, self.consts) = saved;
                    out.push(value?);
                }
                (None, None) => {
                    return self.fail(format!("call of `{}` with a different signature", f.def.name.id), c)
                }
            }
        }
        Ok(out)
    }

    pub(super) fn call_value(&mut self, c: &ast::ExprCall) -> R<Sym> {
        let args = &c.arguments.args;
        match &*c.func {
            // `re.compile(pattern[, flags])`: a pattern whose match/search/fullmatch are tests.
            PyExpr::Attribute(a) if is_name(&a.value, "json") && a.attr.as_str() == "loads" => {
                self.json_loads(c)
            }
            // `re.findall(pattern, subject)`: some match exactly when `re.search` finds one.
            PyExpr::Attribute(a) if is_name(&a.value, "re") && a.attr.as_str() == "findall" => {
                self.regex("search", c).map(Sym::Found)
            }
            PyExpr::Attribute(a) if is_name(&a.value, "re") && a.attr.as_str() == "compile" => {
                let Some(Sym::Lit(Json::String(pattern))) = args.first().map(|p| self.sym(p)).transpose()?
                else {
                    return self.fail("re.compile of something other than a literal pattern", c);
                };
                let mut pattern = pattern;
                let insensitive = self.regex_flags(args.iter().skip(1), c, &mut pattern)?;
                if regex::Regex::new(&pattern).is_err() {
                    return self.fail("a regex the evaluator's engine cannot run", c);
                }
                Ok(Sym::Compiled { pattern, insensitive })
            }
            PyExpr::Attribute(a) => {
                let method = a.attr.as_str();
                if let PyExpr::Name(m) = &*a.value {
                    if let Some(f) =
                        self.module.modules.get(m.id.as_str()).and_then(|fs| fs.get(method)).cloned()
                    {
                        let argv = self.bind_args(&f, c)?;
                        return self.call_function(&f, argv);
                    }
                }
                let recv = self.sym(&a.value)?;
                match recv {
                    // A method of a value that depends on the event: of each alternative.
                    Sym::Choice(alts) => {
                        let mut out = Vec::new();
                        for (cond, s) in alts {
                            if matches!(s, Sym::Lit(Json::Null | Json::Bool(_) | Json::Number(_))) {
                                // None, a bool or a number has no such method: Python raises
                                // when this alternative is taken.
                                self.guard(Expr::not(cond, None));
                                continue;
                            }
                            let (value, guards) = self.isolated(|t| t.method(s, method, c))?;
                            self.guard_when(&cond, guards);
                            out.push((cond, value));
                        }
                        Ok(if out.len() == 1 { out.remove(0).1 } else { Sym::Choice(out) })
                    }
                    recv => self.method(recv, method, c),
                }
            }
            PyExpr::Name(n) => {
                let name = n.id.as_str();
                match name {
                    "deep_get" => {
                        let Some((first, keys)) = args.split_first() else {
                            return self.fail("deep_get without arguments", c);
                        };
                        let base = self.sym(first)?;
                        self.deep_get(base, keys, c)
                    }
                    "fnmatch"
                        if args.len() == 2 && self.module.function_in(self.file, "fnmatch").is_none() =>
                    {
                        self.fnmatch(&args[0], &args[1]).map(Sym::Bool)
                    }
                    "len" if args.len() == 1 => match self.sym(&args[0])? {
                        Sym::Lit(Json::String(s)) => Ok(Sym::Lit(json!(s.chars().count()))),
                        Sym::Lit(Json::Array(items)) => Ok(Sym::Lit(json!(items.len()))),
                        Sym::Lit(Json::Object(m)) => Ok(Sym::Lit(json!(m.len()))),
                        Sym::Seq(items) => Ok(Sym::Lit(json!(items.len()))),
                        Sym::Found(e) => Ok(Sym::Count(e)),
                        _ => self.fail("len() of a value read from the event", c),
                    },
                    "str" if args.len() == 1 => match self.sym(&args[0])? {
                        Sym::Field(f) if f.fold.is_none() => Ok(Sym::Str(f)),
                        Sym::Lit(Json::String(s)) => Ok(Sym::Lit(Json::String(s))),
                        _ => self.fail("str() of something other than a field", c),
                    },
                    "set" | "frozenset" | "tuple" | "list" if args.len() <= 1 => match args.first() {
                        None => Ok(Sym::Lit(json!([]))),
                        // A collection built from the event compares by its own rules (a set
                        // ignores order and repeats): only iterating it is translated.
                        Some(x) => match self.sym(x)? {
                            // A string or mapping gives its characters or keys.
                            Sym::Lit(Json::String(s)) => {
                                Ok(Sym::Lit(Json::Array(s.chars().map(|c| Json::String(c.into())).collect())))
                            }
                            Sym::Lit(Json::Object(m)) => {
                                Ok(Sym::Lit(Json::Array(m.keys().cloned().map(Json::String).collect())))
                            }
                            lit @ Sym::Lit(_) => Ok(lit),
                            _ => self.fail(format!("`{name}()` of a value read from the event"), c),
                        },
                    },
                    _ => match self.module.function_in(self.file, name) {
                        Some(f) => {
                            let argv = self.bind_args(&f, c)?;
                            self.call_function(&f, argv)
                        }
                        None => self.fail(format!("a call of `{name}`"), c),
                    },
                }
            }
            _ => self.fail("this call", c),
        }
    }

    pub(super) fn method(&mut self, recv: Sym, method: &str, c: &ast::ExprCall) -> R<Sym> {
        let args = &c.arguments.args;
        match (recv, method) {
            (Sym::Dict(items), "get")
                if !args.is_empty() && args.len() <= 2 && c.arguments.keywords.is_empty() =>
            {
                let default = match args.get(1) {
                    Some(d) => self.sym(d)?,
                    None => Sym::Lit(Json::Null),
                };
                match self.sym(&args[0])? {
                    Sym::Lit(Json::String(k)) => {
                        Ok(items.into_iter().find(|(key, _)| *key == k).map_or(default, |(_, v)| v))
                    }
                    _ => self.fail("a lookup in a built dict with a key that is not a constant", &args[0]),
                }
            }
            (Sym::Lit(Json::Object(map)), "get") if !args.is_empty() && args.len() <= 2 => {
                let default = match args.get(1) {
                    Some(d) => match self.sym(d)? {
                        Sym::Lit(v) => v,
                        _ => return self.fail("a non-constant default", d),
                    },
                    None => Json::Null,
                };
                match self.sym(&args[0])? {
                    Sym::Lit(Json::String(k)) => Ok(Sym::Lit(map.get(&k).cloned().unwrap_or(default))),
                    Sym::Field(key) => Ok(self.lookup_value(&map, key, default)),
                    _ => self.fail("a lookup with a key that is neither a constant nor a field", &args[0]),
                }
            }
            (Sym::Compiled { pattern, insensitive }, "match" | "search" | "fullmatch") => match &args[..] {
                [subject] if c.arguments.keywords.is_empty() => {
                    self.regex_on(method, &pattern, insensitive, subject).map(Sym::Matched)
                }
                _ => self.fail("a compiled pattern's match with a position or flags", c),
            },
            (recv @ (Sym::Event | Sym::Field(_)), "get") if !args.is_empty() && args.len() <= 2 => {
                let Sym::Lit(Json::String(key)) = self.sym(&args[0])? else {
                    return self.fail("get with a non-constant key", &args[0]);
                };
                let default = match args.get(1) {
                    Some(d) => match self.sym(d)? {
                        Sym::Lit(v) => v,
                        _ => return self.fail("a non-constant default", d),
                    },
                    None => Json::Null,
                };
                match recv {
                    Sym::Event => Ok(Sym::Field(FieldRef::new(FieldPath::key(key), default, false))),
                    Sym::Field(f)
                        if f.fold.is_none() && matches!(f.default, Json::Object(_) | Json::Null) =>
                    {
                        let mut path = f.path.clone();
                        path.0.push(Seg::Key(key));
                        // A missing parent yields `{}` (or None → raises): either way `default`.
                        Ok(Sym::Field(FieldRef::new(path, default, false)))
                    }
                    _ => self.fail("get on a value that may not be a mapping", c),
                }
            }
            (Sym::Event, "deep_get") => self.deep_get(Sym::Event, args, c),
            (Sym::Event, "udm") => {
                let [name] = &args[..] else { return self.fail("udm with several keys", c) };
                let Sym::Lit(Json::String(name)) = self.sym(name)? else {
                    return self.fail("udm with a non-constant name", c);
                };
                match self.module.udm.get(&name).cloned() {
                    Some(Udm::Path(path)) => Ok(Sym::Field(FieldRef::new(path, Json::Null, true))),
                    Some(Udm::Method(f)) => self.call_function(&f, vec![Sym::Event]),
                    Some(Udm::Unsupported(what)) => {
                        self.fail(format!("event.udm(\"{name}\") maps to {what}"), c)
                    }
                    None => self.fail(
                        format!("event.udm(\"{name}\") has no data-model mapping for this log type"),
                        c,
                    ),
                }
            }
            (Sym::Field(mut f), "lower" | "casefold" | "upper") if args.is_empty() => {
                if !matches!(f.default, Json::String(_)) {
                    // None.lower() raises: no alert when the value is not a string.
                    self.guard(string_test(&f));
                }
                f.fold = Some(if method == "upper" { Fold::Upper } else { Fold::Lower });
                Ok(Sym::Field(f))
            }
            (Sym::Lit(Json::Object(m)), "keys") if args.is_empty() => {
                Ok(Sym::Lit(Json::Array(m.keys().cloned().map(Json::String).collect())))
            }
            (Sym::Lit(Json::String(s)), "lower" | "casefold") => Ok(Sym::Lit(Json::String(s.to_lowercase()))),
            (Sym::Lit(Json::String(s)), "upper") => Ok(Sym::Lit(Json::String(s.to_uppercase()))),
            (Sym::Field(f), "split") if args.len() == 1 => match self.sym(&args[0])? {
                Sym::Lit(Json::String(sep)) if sep.chars().count() == 1 => {
                    if !matches!(f.default, Json::String(_)) {
                        self.guard(string_test(&f)); // None.split() raises: no alert
                    }
                    let sep = sep.chars().next().unwrap_or(' ');
                    Ok(Sym::Split(Piece { f, sep, index: None, stripped: false }))
                }
                _ => self.fail("split on anything but a one-character separator", c),
            },
            // `.strip()` of one piece: its surrounding whitespace does not count.
            (Sym::Split(p @ Piece { index: Some(_), stripped: false, .. }), "strip")
                if args.is_empty() && !p.sep.is_whitespace() =>
            {
                Ok(Sym::Split(Piece { stripped: true, ..p }))
            }
            (Sym::Event, "deep_walk") => self.deep_walk(args, c),
            (_, "deep_walk") => self.fail("deep_walk on something other than the event", c),
            (_, m) => self.fail(format!("the method `{m}`"), c),
        }
    }

    /// `event.deep_walk(k1, …, kn, default=d)`: like `deep_get` (an empty list also gives `d`)
    /// while no step on the way is a list. Through a non-empty list it collects the values
    /// below every element into a set, which raises (no alert) when they are mappings.
    pub(super) fn deep_walk(&mut self, keys: &[PyExpr], c: &ast::ExprCall) -> R<Sym> {
        if c.arguments.keywords.iter().any(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "return_val")) {
            return self.fail("deep_walk with return_val", c);
        }
        match self.deep_get(Sym::Event, keys, c)? {
            Sym::Field(f) => Ok(Sym::Walked(f)),
            _ => self.fail("this deep_walk", c),
        }
    }

    /// `event.deep_get(k…)`, or `deep_get(value, k…)` on a value read from the event: a
    /// step on a non-mapping, or a None at the end, gives the default.
    pub(super) fn deep_get(&mut self, base: Sym, keys: &[PyExpr], c: &ast::ExprCall) -> R<Sym> {
        // Of a value that depends on the event: of each alternative. deep_get walks mappings
        // only, so a constant that is not one gives the default.
        if let Sym::Choice(alts) = base {
            let mut out = Vec::new();
            for (cond, s) in alts {
                let value = match s {
                    Sym::Lit(v) if !v.is_object() => {
                        let mut default = Json::Null;
                        for kw in &c.arguments.keywords {
                            if let (Some("default"), Sym::Lit(d)) =
                                (kw.arg.as_ref().map(|a| a.as_str()), self.sym(&kw.value)?)
                            {
                                default = d;
                            }
                        }
                        Sym::Lit(default)
                    }
                    other => {
                        let (value, guards) = self.isolated(|t| t.deep_get(other, keys, c))?;
                        self.guard_when(&cond, guards);
                        value
                    }
                };
                out.push((cond, value));
            }
            return Ok(Sym::Choice(out));
        }
        let mut path = match base {
            Sym::Event => Vec::new(),
            // The value's own default is what deep_get starts from when it is absent: only
            // None or {} (where every key is absent too) keep the result the same.
            Sym::Field(f)
                if f.fold.is_none()
                    && (f.default.is_null() || f.default.as_object().is_some_and(|m| m.is_empty())) =>
            {
                f.path.0
            }
            _ => return self.fail("deep_get on something other than the event or a value read from it", c),
        };
        for k in keys {
            // `deep_get(*path)` with a constant tuple of keys.
            let (k, spread) = match k {
                PyExpr::Starred(s) => (&*s.value, true),
                k => (k, false),
            };
            match (self.sym(k)?, spread) {
                (Sym::Lit(Json::String(s)), false) => path.push(Seg::Key(s)),
                (Sym::Lit(Json::Array(items)), true) if items.iter().all(Json::is_string) => {
                    path.extend(items.into_iter().filter_map(|i| i.as_str().map(|s| Seg::Key(s.into()))))
                }
                _ => return self.fail("deep_get with a non-constant key", k),
            }
        }
        let mut default = Json::Null;
        for kw in &c.arguments.keywords {
            match (kw.arg.as_ref().map(|a| a.as_str()), self.sym(&kw.value)?) {
                (Some("default"), Sym::Lit(v)) => default = v,
                _ => return self.fail("a deep_get keyword other than a constant default", kw),
            }
        }
        if keys.is_empty() {
            return self.fail("deep_get without keys", c);
        }
        Ok(Sym::Field(FieldRef::new(FieldPath(path), default, true)))
    }
}

/// deep_walk's path has no list at an inner step. (Through an empty one it finds nothing, as
/// the plain path does; through any other, see `deep_walk`.)
pub(super) fn no_list_on_the_way(path: &FieldPath) -> Vec<Expr> {
    (1..path.0.len())
        .map(|n| {
            let step = FieldPath(path.0[..n].to_vec());
            Expr::not(Expr::pred(Predicate::new(step, Op::IsList, vec![], Case::Sensitive), None), None)
        })
        .collect()
}
