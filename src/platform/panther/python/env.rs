//! The translation environment: the rule module's functions and constants, the global
//! helpers it imports, and the data model for `event.udm`.

use super::PyEnv;
use crate::diag::{Code, Diagnostic, Diagnostics, FileId, SourceFile, Sources, Span};
use crate::ir::FieldPath;
use ruff_python_ast::{self as ast, Stmt};
use ruff_text_size::Ranged;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// A function and the module it lives in (its constants and its file, for spans).
#[derive(Clone)]
pub(crate) struct Func {
    pub def: Rc<ast::StmtFunctionDef>,
    pub file: FileId,
    pub consts: Rc<HashMap<String, ast::Expr>>,
}

/// One `event.udm` mapping.
#[derive(Clone)]
pub(crate) enum Udm {
    Path(FieldPath),
    Method(Func),
    Unsupported(String),
}

#[derive(Clone)]
pub(crate) struct Module {
    pub consts: Rc<HashMap<String, ast::Expr>>,
    pub functions: HashMap<String, Func>,
    /// `import x as y`: alias → that module's functions.
    pub modules: HashMap<String, HashMap<String, Func>>,
    /// Constants of modules imported whole (`import panther_event_type_helpers as event_type`).
    pub module_consts: HashMap<String, Rc<HashMap<String, ast::Expr>>>,
    /// Every function of each helper file loaded: a helper calls its own module's functions.
    pub by_file: HashMap<FileId, HashMap<String, Func>>,
    pub udm: HashMap<String, Udm>,
    /// With several data models among the rule's LogTypes: each model's log types and
    /// mappings (the rule is then translated once per model, see `translate`).
    pub udm_groups: Vec<(Vec<String>, HashMap<String, Udm>)>,
}

impl Module {
    pub fn load(
        sources: &mut Sources,
        file: FileId,
        env: &PyEnv<'_>,
        diags: &mut Diagnostics,
    ) -> Option<Module> {
        let src = sources.get(file)?;
        let (text, path) = (src.text.clone(), src.path.clone());
        let body = parse(&text, file, diags)?;
        let (functions, consts) = collect(&body, file);
        let mut m = Module {
            consts,
            functions,
            modules: HashMap::new(),
            module_consts: HashMap::new(),
            by_file: HashMap::new(),
            udm: HashMap::new(),
            udm_groups: Vec::new(),
        };
        let helpers = env.helpers_dir.map(Path::to_path_buf).or_else(|| find_up(&path, "global_helpers"));
        for stmt in &body {
            m.import(stmt, helpers.as_deref(), sources);
        }
        // The module's own functions see the constants it imported, too.
        for f in m.functions.values_mut().filter(|f| f.file == file) {
            f.consts = m.consts.clone();
        }
        if let Some(dir) = find_up(&path, "data_models") {
            m.udm = load_data_model(&dir, env.log_types, sources, &mut m.by_file);
            m.udm_groups = data_model_groups(&dir, env.log_types, sources, &mut m.by_file);
        }
        Some(m)
    }

    pub fn function(&self, name: &str) -> Option<Func> {
        self.functions.get(name).cloned()
    }

    /// `name` as code in `file` sees it: the rule module's names, or a helper module's own.
    pub fn function_in(&self, file: FileId, name: &str) -> Option<Func> {
        match self.by_file.get(&file) {
            Some(own) => own.get(name).cloned(),
            None => self.function(name),
        }
    }

    fn remember(&mut self, funcs: &HashMap<String, Func>) {
        if let Some(f) = funcs.values().next() {
            self.by_file.entry(f.file).or_insert_with(|| funcs.clone());
        }
    }

    fn import(&mut self, stmt: &Stmt, helpers: Option<&Path>, sources: &mut Sources) {
        match stmt {
            Stmt::ImportFrom(i) => {
                let Some(module) = i.module.as_ref().map(|m| m.id.to_string()) else { return };
                let Some(funcs) = helper_module(helpers, &module, sources) else { return };
                self.remember(&funcs.0);
                for alias in &i.names {
                    let name = alias.name.id.to_string();
                    let local = alias.asname.as_ref().map_or(name.clone(), |a| a.id.to_string());
                    if let Some(f) = funcs.0.get(&name) {
                        self.functions.entry(local).or_insert_with(|| f.clone());
                    } else if let Some(c) = funcs.1.get(&name) {
                        Rc::make_mut(&mut self.consts).entry(local).or_insert_with(|| c.clone());
                    }
                }
            }
            Stmt::Import(i) => {
                for alias in &i.names {
                    let module = alias.name.id.to_string();
                    let local = alias.asname.as_ref().map_or(module.clone(), |a| a.id.to_string());
                    if let Some((funcs, consts)) = helper_module(helpers, &module, sources) {
                        self.remember(&funcs);
                        self.modules.insert(local.clone(), funcs);
                        self.module_consts.insert(local, consts);
                    }
                }
            }
            _ => {}
        }
    }
}

fn parse(text: &str, file: FileId, diags: &mut Diagnostics) -> Option<Vec<Stmt>> {
    // The tree is cloned, dropped and translated recursively: refuse a deep one unbuilt.
    let limit = super::nesting::MAX_SOURCE_NESTING;
    if let Some((at, depth)) = super::nesting::too_deep(text, limit) {
        let msg =
            format!("the Python nests about {depth} levels deep here, deeper than ruleport reads ({limit})");
        let end = (at + 1).min(text.len());
        diags.push(Diagnostic::error(Code::TooDeep, msg).with_span(Some(Span::new(file, at, end))));
        return None;
    }
    match ruff_python_parser::parse_module(text) {
        Ok(parsed) => Some(parsed.into_syntax().body.into_iter().collect()),
        Err(e) => {
            let r = e.location;
            let span = Span::new(file, r.start().to_usize(), r.end().to_usize());
            diags.push(
                Diagnostic::error(Code::Syntax, format!("invalid Python: {}", e.error)).with_span(Some(span)),
            );
            None
        }
    }
}

/// Functions and module-level constants (`NAME = <expr>`) of a module body.
fn collect(body: &[Stmt], file: FileId) -> (HashMap<String, Func>, Rc<HashMap<String, ast::Expr>>) {
    let mut consts = HashMap::new();
    for stmt in body {
        if let Stmt::Assign(a) = stmt {
            if let [ast::Expr::Name(n)] = a.targets.as_slice() {
                consts.insert(n.id.to_string(), (*a.value).clone());
            }
        }
    }
    let consts = Rc::new(consts);
    let mut functions = HashMap::new();
    for stmt in body {
        if let Stmt::FunctionDef(f) = stmt {
            let func = Func { def: Rc::new(f.clone()), file, consts: consts.clone() };
            functions.insert(f.name.id.to_string(), func);
        }
    }
    (functions, consts)
}

type Loaded = (HashMap<String, Func>, Rc<HashMap<String, ast::Expr>>);

/// A helper module parsed once per thread: its text, functions and constants.
struct Parsed {
    text: String,
    functions: Vec<(String, Rc<ast::StmtFunctionDef>)>,
    consts: Rc<HashMap<String, ast::Expr>>,
}

thread_local! {
    /// Helper modules and data models are shared by many rules: parse each once.
    static MODULES: std::cell::RefCell<HashMap<PathBuf, Option<Rc<Parsed>>>> = Default::default();
    static MODELS: std::cell::RefCell<HashMap<PathBuf, Rc<Vec<DataModel>>>> = Default::default();
}

fn parsed_module(path: &Path) -> Option<Rc<Parsed>> {
    if let Some(hit) = MODULES.with(|m| m.borrow().get(path).cloned()) {
        return hit;
    }
    let loaded = std::fs::read_to_string(path).ok().and_then(|text| {
        let body = parse(&text, FileId(0), &mut Diagnostics::new())?;
        let (functions, consts) = collect(&body, FileId(0));
        let functions = functions.into_iter().map(|(name, f)| (name, f.def)).collect();
        Some(Rc::new(Parsed { text, functions, consts }))
    });
    MODULES.with(|m| m.borrow_mut().insert(path.to_path_buf(), loaded.clone()));
    loaded
}

/// Load `module.py` from the helpers directory (registered as a source for spans).
fn helper_module(dir: Option<&Path>, module: &str, sources: &mut Sources) -> Option<Loaded> {
    let path = dir?.join(format!("{}.py", module.replace('.', "/")));
    let parsed = parsed_module(&path)?;
    let id = sources.add(SourceFile::new(&path, parsed.text.clone()));
    let functions = parsed
        .functions
        .iter()
        .map(|(name, def)| (name.clone(), Func { def: def.clone(), file: id, consts: parsed.consts.clone() }))
        .collect();
    Some((functions, parsed.consts.clone()))
}

/// Every data model in a directory, parsed once per thread.
fn data_models(dir: &Path) -> Rc<Vec<DataModel>> {
    if let Some(hit) = MODELS.with(|m| m.borrow().get(dir).cloned()) {
        return hit;
    }
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|e| e.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    files.sort();
    let models: Vec<DataModel> = files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|t| serde_yaml::from_str::<DataModel>(&t).ok())
        .collect();
    let models = Rc::new(models);
    MODELS.with(|m| m.borrow_mut().insert(dir.to_path_buf(), models.clone()));
    models
}

/// The nearest directory called `name` beside or above `start`.
fn find_up(start: &Path, name: &str) -> Option<PathBuf> {
    let mut dir = start.parent();
    while let Some(d) = dir {
        let candidate = d.join(name);
        if candidate.is_dir() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DataModel {
    #[serde(default)]
    log_types: Vec<String>,
    #[serde(default)]
    filename: Option<String>,
    #[serde(default)]
    mappings: Vec<Mapping>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Mapping {
    name: String,
    path: Option<String>,
    method: Option<String>,
}

/// `event.udm` names, resolved through the data model of each of the rule's log types.
/// Panther picks the model by the event's `p_log_type`, so a name is usable only when every
/// log type maps it the same way; otherwise it resolves to an explanation.
fn load_data_model(
    dir: &Path,
    log_types: &[String],
    sources: &mut Sources,
    by_file: &mut HashMap<FileId, HashMap<String, Func>>,
) -> HashMap<String, Udm> {
    let models = data_models(dir);
    let chosen: Vec<Option<usize>> =
        log_types.iter().map(|lt| models.iter().position(|m| m.log_types.contains(lt))).collect();
    let Some(first) = chosen.first().copied().flatten() else { return HashMap::new() };
    let mut out = model_mappings(dir, &models[first], sources, by_file);
    for (lt, other) in log_types.iter().zip(&chosen).skip(1) {
        if *other == Some(first) {
            continue;
        }
        let theirs = match other {
            Some(i) => model_mappings(dir, &models[*i], sources, by_file),
            None => HashMap::new(),
        };
        for (name, udm) in out.iter_mut() {
            let same = match (&*udm, theirs.get(name)) {
                (Udm::Path(a), Some(Udm::Path(b))) => a == b,
                _ => matches!(udm, Udm::Unsupported(_)),
            };
            if !same {
                let why =
                    format!("a mapping that differs for log type {lt} (Panther picks it by p_log_type)");
                *udm = Udm::Unsupported(why);
            }
        }
    }
    out
}

/// The rule's log types grouped by data model, with each model's mappings; empty when they
/// all share one (or none has one).
fn data_model_groups(
    dir: &Path,
    log_types: &[String],
    sources: &mut Sources,
    by_file: &mut HashMap<FileId, HashMap<String, Func>>,
) -> Vec<(Vec<String>, HashMap<String, Udm>)> {
    let models = data_models(dir);
    let mut groups: Vec<(Option<usize>, Vec<String>)> = Vec::new();
    for lt in log_types {
        let model = models.iter().position(|m| m.log_types.contains(lt));
        match groups.iter_mut().find(|(m, _)| *m == model) {
            Some((_, types)) => types.push(lt.clone()),
            None => groups.push((model, vec![lt.clone()])),
        }
    }
    if groups.len() < 2 {
        return Vec::new();
    }
    groups
        .into_iter()
        .map(|(model, types)| {
            let mappings =
                model.map(|i| model_mappings(dir, &models[i], sources, by_file)).unwrap_or_default();
            (types, mappings)
        })
        .collect()
}

/// A model's mappings; its methods' module is remembered so they can call its functions.
fn model_mappings(
    dir: &Path,
    model: &DataModel,
    sources: &mut Sources,
    by_file: &mut HashMap<FileId, HashMap<String, Func>>,
) -> HashMap<String, Udm> {
    let methods =
        model.filename.as_ref().and_then(|f| helper_module(Some(dir), f.trim_end_matches(".py"), sources));
    if let Some(f) = methods.as_ref().and_then(|(fs, _)| fs.values().next()) {
        by_file
            .entry(f.file)
            .or_insert_with(|| methods.as_ref().map(|(fs, _)| fs.clone()).unwrap_or_default());
    }
    let mut out = HashMap::new();
    for m in &model.mappings {
        let udm = match (&m.path, &m.method) {
            (Some(p), _) => super::data_model_path(p)
                .map_or_else(|| Udm::Unsupported(format!("data-model path `{p}`")), Udm::Path),
            (None, Some(name)) => match methods.as_ref().and_then(|(f, _)| f.get(name)) {
                Some(f) => Udm::Method(f.clone()),
                None => Udm::Unsupported(format!("data-model method `{name}`")),
            },
            (None, None) => continue,
        };
        out.insert(m.name.clone(), udm);
    }
    out
}

/// Span of an AST node in a file.
pub(crate) fn span_of(file: FileId, node: &impl Ranged) -> Span {
    let r = node.range();
    Span::new(file, r.start().to_usize(), r.end().to_usize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(dir: &Path, file: &str, log_type: &str, user_path: &str) {
        let text = format!(
            "AnalysisType: datamodel\nLogTypes:\n  - {log_type}\nMappings:\n  - Name: user\n    Path: {user_path}\n  - Name: ip\n    Path: $.src\n"
        );
        std::fs::write(dir.join(file), text).unwrap();
    }

    #[test]
    fn a_name_mapped_differently_per_log_type_is_refused() {
        let dir = std::env::temp_dir().join(format!("ruleport-udm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        model(&dir, "a.yml", "A.Log", "$.actor.name");
        model(&dir, "b.yml", "B.Log", "$.user");
        let mut sources = Sources::new();
        let both =
            load_data_model(&dir, &["A.Log".into(), "B.Log".into()], &mut sources, &mut HashMap::new());
        assert!(matches!(both.get("ip"), Some(Udm::Path(_))), "same path in both models");
        assert!(matches!(both.get("user"), Some(Udm::Unsupported(why)) if why.contains("B.Log")));
        let one = load_data_model(&dir, &["A.Log".into()], &mut sources, &mut HashMap::new());
        assert!(matches!(one.get("user"), Some(Udm::Path(p)) if p.to_string() == "actor.name"));
        let groups =
            data_model_groups(&dir, &["A.Log".into(), "B.Log".into()], &mut sources, &mut HashMap::new());
        assert_eq!(groups.len(), 2, "one translation per data model");
        assert!(matches!(groups[1].1.get("user"), Some(Udm::Path(p)) if p.to_string() == "user"));
        assert!(data_model_groups(&dir, &["A.Log".into()], &mut sources, &mut HashMap::new()).is_empty());
        let unmodelled =
            load_data_model(&dir, &["A.Log".into(), "C.Log".into()], &mut sources, &mut HashMap::new());
        assert!(matches!(unmodelled.get("ip"), Some(Udm::Unsupported(_))), "C.Log reads p_udm instead");
        std::fs::remove_dir_all(&dir).ok();
    }
}
