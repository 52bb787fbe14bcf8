//! Simple metadata functions (`title`, `dedup` …): a constant, a field, or an f-string
//! over fields, carried into the IR's metadata.

use super::*;

/// The value of a simple metadata function.
pub(crate) enum Simple {
    Text(String),
    /// Text with `{a.b}` field placeholders.
    Template(String),
    Field(FieldPath),
}

/// Literal text of a template, unless it contains braces (which would read as placeholders).
fn brace_free(s: &str) -> Option<String> {
    (!s.contains(['{', '}'])).then(|| s.to_string())
}

impl<'m, 'd> Translator<'m, 'd> {
    /// The value of a simple metadata function (`title`, `dedup` …): a string constant, a
    /// field read, or an f-string whose interpolations are field reads (`{a.b}` placeholders).
    pub(crate) fn simple_value(&mut self, f: &Func) -> Option<Simple> {
        let body: Vec<&Stmt> = f.def.body.iter().collect();
        let value = single_return(&body)?;
        let saved = (self.file, self.consts.clone());
        self.file = f.file;
        self.consts = f.consts.clone();
        self.scopes.push(HashMap::from([(
            f.def.parameters.args.first()?.parameter.name.id.to_string(),
            Sym::Event,
        )]));
        let out = self.simple(value);
        self.scopes.pop();
        self.guards.clear();
        (self.file, self.consts) = saved;
        out
    }

    fn simple(&mut self, e: &PyExpr) -> Option<Simple> {
        match e {
            PyExpr::FString(fs) => {
                let mut template = String::new();
                for part in fs.value.iter() {
                    match part {
                        ast::FStringPart::Literal(l) => template.push_str(&brace_free(&l.value)?),
                        ast::FStringPart::FString(f) => {
                            for el in f.elements.iter() {
                                match el {
                                    ast::InterpolatedStringElement::Literal(l) => {
                                        template.push_str(&brace_free(&l.value)?)
                                    }
                                    ast::InterpolatedStringElement::Interpolation(i) => {
                                        match self.sym(&i.expression).ok()? {
                                            Sym::Field(f) if f.fold.is_none() && i.format_spec.is_none() => {
                                                template.push_str(&format!("{{{}}}", f.path))
                                            }
                                            _ => return None,
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                Some(Simple::Template(template))
            }
            _ => match self.sym(e).ok()? {
                Sym::Lit(Json::String(s)) => Some(Simple::Text(s)),
                Sym::Field(f) if f.fold.is_none() => Some(Simple::Field(f.path)),
                _ => None,
            },
        }
    }
}
