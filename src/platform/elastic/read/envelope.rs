//! An Elastic rule's keys → IR rule. Keys the IR has no place for go to `extra` verbatim.

use super::kuery::{self, elastic_path, Origin};
use crate::diag::{Code, Diagnostic, Diagnostics, FileId, Span};
use crate::ir::{
    Attack, Case, Condition, Correlation, CorrelationKind, Duration, Expr, FieldPath, Level, LevelInfo,
    NativeSource, Op, Pattern, Piece, Platform, Predicate, Query, Rule, Schedule, Value,
};
use crate::lang::kuery as kuery_syntax;
use serde_json::{Map, Value as Json};
use std::path::Path;

/// Keys of `[rule]` read into the IR (everything else goes to `extra`).
const READ: &[&str] = &[
    "rule_id",
    "name",
    "description",
    "severity",
    "tags",
    "threat",
    "index",
    "language",
    "type",
    "from",
    "interval",
    "false_positives",
    "references",
    "note",
    "author",
    "query",
    "filters",
    "threshold",
    "new_terms",
    "enabled",
];

/// `text` is the rule's source (a whole TOML file, or one NDJSON line starting at byte
/// `base` of the file).
pub(super) fn read(
    doc: &Json,
    text: &str,
    base: usize,
    file: FileId,
    path: &Path,
    diags: &mut Diagnostics,
) -> Option<Rule> {
    let Some(r) = doc.get("rule").and_then(Json::as_object) else {
        let msg = "an Elastic rule file has a `[rule]` table";
        diags.push(Diagnostic::error(Code::NotARule, msg).with_span(Some(Span::new(file, base, base))));
        return None;
    };
    let mut rule = Rule::default();
    rule.origin.platform = Some(Platform::Elastic);
    rule.origin.format = "elastic_toml".into();
    rule.origin.path = path.to_path_buf();
    let s = |k: &str| r.get(k).and_then(Json::as_str).map(str::to_string);
    let list = |k: &str| -> Vec<String> {
        r.get(k)
            .and_then(Json::as_array)
            .map_or(vec![], |a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
    };
    rule.meta.id = s("rule_id")
        .unwrap_or_else(|| path.file_stem().and_then(|x| x.to_str()).unwrap_or_default().to_string());
    rule.meta.title = s("name").unwrap_or_default();
    rule.meta.description = s("description").unwrap_or_default();
    rule.meta.level =
        s("severity").and_then(|v| Level::parse(&v).map(|level| LevelInfo { level, source: v }));
    rule.meta.tags = list("tags");
    rule.meta.references = list("references");
    rule.meta.false_positives = list("false_positives");
    rule.meta.authors = list("author");
    rule.meta.runbook = s("note");
    rule.meta.enabled = r.get("enabled").and_then(Json::as_bool);
    rule.meta.attack = attack(r.get("threat"));
    rule.logsource.native =
        list("index").into_iter().map(|id| NativeSource { platform: Platform::Elastic, id }).collect();
    if let Some(m) = doc.get("metadata").and_then(Json::as_object) {
        rule.meta.status = m.get("maturity").and_then(Json::as_str).map(String::from);
        rule.meta.date = m.get("creation_date").and_then(Json::as_str).map(|d| d.replace('/', "-"));
        rule.meta.modified = m.get("updated_date").and_then(Json::as_str).map(|d| d.replace('/', "-"));
        rule.keep_extra(Platform::Elastic, "metadata", Json::Object(m.clone()));
    }
    rule.meta.schedule = schedule(s("interval").as_deref(), s("from").as_deref());
    for (k, v) in r {
        if !READ.contains(&k.as_str()) {
            rule.keep_extra(Platform::Elastic, k.clone(), v.clone());
        }
    }
    for k in ["language", "type", "threshold", "new_terms", "from", "interval"] {
        if let Some(v) = r.get(k) {
            rule.keep_extra(Platform::Elastic, k, v.clone());
        }
    }
    let language = s("language").unwrap_or_else(|| "kuery".into());
    let kind = s("type").unwrap_or_else(|| "query".into());
    let key_span = |key: &str| {
        let table = format!("[rule.{key}]");
        let quoted = format!("\"{key}\"");
        find_key(text, key)
            .map(|at| Span::new(file, base + at, base + at + key.len()))
            .or_else(|| text.find(&table).map(|at| Span::new(file, base + at, base + at + table.len())))
            .or_else(|| text.find(&quoted).map(|at| Span::new(file, base + at, base + at + quoted.len())))
    };
    if matches!(language.as_str(), "eql" | "esql")
        || !matches!(kind.as_str(), "query" | "threshold" | "new_terms" | "threat_match")
    {
        let what = if matches!(language.as_str(), "eql" | "esql") {
            format!("`{language}` queries are not supported yet")
        } else {
            format!("`{kind}` rules are not supported yet")
        };
        diags.push(
            Diagnostic::error(Code::Unsupported, what).with_span(key_span("type").or(key_span("language"))),
        );
        rule.query = Query::unparsed(&language, s("query").unwrap_or_default(), None);
        return Some(rule);
    }
    if language == "lucene" {
        let query = s("query").unwrap_or_default();
        rule.query = mislabelled_lucene(&query, base + query_offset(text, &query), file, diags);
        return Some(rule);
    }
    if language != "kuery" {
        let msg = format!("`{language}` queries are not supported yet");
        diags.push(Diagnostic::error(Code::Unsupported, msg).with_span(key_span("language")));
        rule.query = Query::unparsed(&language, s("query").unwrap_or_default(), None);
        return Some(rule);
    }
    let query = s("query").unwrap_or_default();
    let offset =
        text.find(&query).filter(|_| !query.is_empty()).or_else(|| find_key(text, "query")).unwrap_or(0);
    let mut q = kuery_query(&query, offset, file, diags);
    if let (Some(filters), Some(base)) = (r.get("filters").and_then(Json::as_array), q.split_filter().0) {
        match filters_expr(filters, key_span("filters"), diags) {
            Some(extra) if !extra.is_empty() => {
                let mut all = vec![base];
                all.extend(extra);
                q = Query::filter(crate::passes::simplify(Expr::and(all, None)));
            }
            Some(_) => {}
            None => q = Query::unparsed("kuery", query.clone(), None),
        }
    }
    rule.query = q;
    if kind == "threshold" {
        threshold(r.get("threshold"), &mut rule, key_span("threshold"), diags);
    }
    if let Some(lists) = r.get("exceptions_list").and_then(Json::as_array).filter(|l| !l.is_empty()) {
        let ids: Vec<&str> = lists.iter().filter_map(|l| l.get("list_id").and_then(Json::as_str)).collect();
        let msg = format!(
            "exception lists ({}) live in Kibana, not in the rule: the events they exclude are not excluded here",
            ids.join(", ")
        );
        diags.push(Diagnostic::lossy(Code::LossyRead, msg).with_span(key_span("exceptions_list")));
    }
    if kind == "new_terms" {
        let fields = r
            .get("new_terms")
            .and_then(|n| n.get("value"))
            .map(|v| v.to_string())
            .unwrap_or_else(|| "the new-terms fields".into());
        let msg = format!(
            "new-terms rule: Elastic alerts only on the first value of {fields} seen in the history window; \
             the converted rule alerts on every matching event"
        );
        diags.push(Diagnostic::lossy(Code::LossyCorrelation, msg).with_span(key_span("new_terms")));
    }
    if kind == "threat_match" {
        let mapped: Vec<String> = r
            .get("threat_mapping")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(|m| m.get("entries").and_then(Json::as_array))
            .flatten()
            .filter_map(|e| e.get("field").and_then(Json::as_str).map(String::from))
            .collect();
        let index =
            r.get("threat_index").map(|v| v.to_string()).unwrap_or_else(|| "the indicator index".into());
        let msg = format!(
            "indicator-match rule: Elastic alerts only when {} matches an indicator from {index}; \
             the converted rule alerts on every event the query selects",
            if mapped.is_empty() { "a mapped field".to_string() } else { mapped.join(" or ") }
        );
        diags.push(Diagnostic::lossy(Code::LossyCorrelation, msg).with_span(key_span("type")));
    }
    Some(rule)
}

/// A rule labelled Lucene whose query is not Lucene but is kuery (old rules wrote kuery's
/// lowercase `or`/`not` and unescaped `/` under `language = "lucene"`): Elasticsearch would
/// reject it, so it is read as the kuery its author wrote, with a `lossy` note at the Lucene
/// error. A query that is neither keeps the Lucene syntax error.
fn mislabelled_lucene(query: &str, offset: usize, file: FileId, diags: &mut Diagnostics) -> Query {
    let mut as_lucene = Diagnostics::new();
    let lucene = lucene_query(query, offset, file, &mut as_lucene);
    let syntax = as_lucene.iter().find(|d| d.code == Code::Syntax).cloned();
    let Some(syntax) = syntax else {
        diags.extend(as_lucene);
        return lucene;
    };
    let mut as_kuery = Diagnostics::new();
    let kuery = kuery_query(query, offset, file, &mut as_kuery);
    if as_kuery.has_errors() {
        diags.extend(as_lucene);
        return lucene;
    }
    let msg = format!(
        "labelled Lucene but not valid Lucene ({}), so Elasticsearch rejects it; it is valid kuery and is read as kuery",
        syntax.message.trim_start_matches("lucene: ")
    );
    diags.push(Diagnostic::lossy(Code::LossyRead, msg).with_span(syntax.span));
    diags.extend(as_kuery);
    kuery
}

/// Parse and lower a kuery query found at `offset` in `file`.
pub(super) fn kuery_query(query: &str, offset: usize, file: FileId, diags: &mut Diagnostics) -> Query {
    let at = Origin { file, offset };
    let parsed = kuery_syntax::parse(query).map_err(|e| (e.offset, e.message));
    query_of("kuery", query, at, parsed.map(|tree| kuery::lower(&tree, at, diags)), diags)
}

/// Parse and lower a Lucene query found at `offset` in `file` (default operator OR, as in
/// Elastic's rules).
pub(super) fn lucene_query(query: &str, offset: usize, file: FileId, diags: &mut Diagnostics) -> Query {
    let at = Origin { file, offset };
    let parsed = crate::lang::lucene::parse(query, false).map_err(|e| (e.offset, e.message));
    query_of("lucene", query, at, parsed.map(|tree| super::lucene::lower(&tree, at, diags)), diags)
}

/// The query a parse gave: its lowered filter, or the text kept unparsed with a syntax error
/// at the offending character.
fn query_of(
    language: &str,
    query: &str,
    at: Origin,
    lowered: Result<Option<crate::ir::Expr>, (usize, String)>,
    diags: &mut Diagnostics,
) -> Query {
    match lowered {
        Ok(Some(e)) => Query::filter(crate::passes::simplify(e)),
        Ok(None) => Query::unparsed(language, query, None),
        Err((offset, message)) => {
            let start = offset.min(query.len());
            let len = query[start..].chars().next().map_or(0, char::len_utf8);
            let span = Span::new(at.file, at.offset + start, at.offset + start + len);
            diags.push(
                Diagnostic::error(Code::Syntax, format!("{language}: {message}")).with_span(Some(span)),
            );
            Query::unparsed(language, query, None)
        }
    }
}

/// Where the query text starts in the source: exact when it appears verbatim (TOML literal
/// strings), else the `query` key.
fn query_offset(text: &str, query: &str) -> usize {
    text.find(query)
        .filter(|_| !query.is_empty())
        .or_else(|| find_key(text, "query"))
        .or_else(|| text.find("\"query\""))
        .unwrap_or(0)
}

/// Byte offset of `key =` at the start of a line.
fn find_key(text: &str, key: &str) -> Option<usize> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with(key) && t[key.len()..].trim_start().starts_with('=') {
            return Some(at + (line.len() - t.len()));
        }
        at += line.len();
    }
    None
}

fn attack(threat: Option<&Json>) -> Vec<Attack> {
    let mut out = Vec::new();
    for t in threat.and_then(Json::as_array).into_iter().flatten() {
        let tactic = t.get("tactic").and_then(|x| x.get("id")).and_then(Json::as_str).map(String::from);
        let techniques: Vec<&Json> =
            t.get("technique").and_then(Json::as_array).map_or(vec![], |a| a.iter().collect());
        if techniques.is_empty() {
            out.push(Attack { tactic: tactic.clone(), technique: None });
        }
        for tech in techniques {
            let id = tech.get("id").and_then(Json::as_str).map(String::from);
            out.push(Attack { tactic: tactic.clone(), technique: id });
            for sub in tech.get("subtechnique").and_then(Json::as_array).into_iter().flatten() {
                let id = sub.get("id").and_then(Json::as_str).map(String::from);
                out.push(Attack { tactic: tactic.clone(), technique: id });
            }
        }
    }
    out
}

/// `interval = "5m"`, `from = "now-9m"` → exact durations.
fn schedule(interval: Option<&str>, from: Option<&str>) -> Option<Schedule> {
    let interval = interval.and_then(Duration::parse);
    let lookback = from.and_then(|f| f.trim().strip_prefix("now-")).and_then(Duration::parse);
    (interval.is_some() || lookback.is_some()).then_some(Schedule { interval, lookback, cron: None })
}

/// `threshold.value` events per group of `threshold.field` values, within the look-back.
/// A distinct-value condition (`cardinality`) stays in `extra`, which only the Elastic writer
/// reads: other targets say that they do not keep the count at all.
fn threshold(t: Option<&Json>, rule: &mut Rule, span: Option<Span>, diags: &mut Diagnostics) {
    let Some(t) = t else { return };
    let Some(n) = t.get("value").and_then(Json::as_u64) else {
        let msg = "threshold rule without a whole-number `threshold.value`";
        diags.push(Diagnostic::error(Code::Metadata, msg).with_span(span));
        return;
    };
    let by: Vec<FieldPath> = match t.get("field") {
        Some(Json::Array(a)) => a.iter().filter_map(Json::as_str).map(elastic_path).collect(),
        Some(Json::String(s)) if !s.is_empty() => vec![elastic_path(s)],
        _ => vec![],
    };
    let window = rule.meta.schedule.as_ref().and_then(|s| s.lookback);
    let mut c = Correlation::threshold(n, by, window);
    match t.get("cardinality").and_then(Json::as_array).map(Vec::as_slice) {
        None | Some([]) => {}
        // Distinct values of a field per group. The event count must hold too: it stays in
        // `extra` for the Elastic writer, and other targets keep neither.
        Some([card]) => {
            let field = card.get("field").and_then(Json::as_str).map(elastic_path);
            let value = card.get("value").and_then(Json::as_u64);
            if let (Some(field), Some(value)) = (field, value) {
                c.kind = CorrelationKind::ValueCount { field };
                c.condition = Some(Condition::at_least(value));
            }
        }
        Some(_) => {
            let msg = "threshold rule with several cardinality conditions";
            diags.push(Diagnostic::error(Code::Metadata, msg).with_span(span));
        }
    }
    rule.correlation = Some(c);
}

/// `[[rule.filters]]`: Kibana filters ANDed with the query. `None` (with an error) when one
/// has a form not translated.
fn filters_expr(filters: &[Json], span: Option<Span>, diags: &mut Diagnostics) -> Option<Vec<Expr>> {
    let mut out = Vec::new();
    for f in filters {
        let meta = f.get("meta").and_then(Json::as_object);
        let flag = |k: &str| meta.and_then(|m| m.get(k)).and_then(Json::as_bool).unwrap_or(false);
        if flag("disabled") {
            continue;
        }
        let Some(e) = f.get("query").and_then(Json::as_object).and_then(filter_query) else {
            let msg = "a Kibana filter in a form that is not translated yet";
            diags.push(Diagnostic::error(Code::Unsupported, msg).with_span(span));
            return None;
        };
        out.push(if flag("negate") { Expr::not(e, None) } else { e });
    }
    Some(out)
}

fn filter_query(q: &Map<String, Json>) -> Option<Expr> {
    let (kind, body) = q.iter().next().filter(|_| q.len() == 1)?;
    let body = body.as_object()?;
    match kind.as_str() {
        "exists" => {
            let field = body.get("field")?.as_str()?;
            Some(Expr::pred(Predicate::new(elastic_path(field), Op::Exists, vec![], Case::Sensitive), None))
        }
        "wildcard" | "match_phrase" | "term" => {
            let (field, spec) = body.iter().next().filter(|_| body.len() == 1)?;
            let (value, ci) = match spec {
                Json::String(v) => (v.clone(), false),
                Json::Object(o) => (
                    o.get("value").or_else(|| o.get("query"))?.as_str()?.to_string(),
                    o.get("case_insensitive").and_then(Json::as_bool).unwrap_or(false),
                ),
                _ => return None,
            };
            let case = if ci { Case::Insensitive } else { Case::Sensitive };
            let (op, values) = if kind == "wildcard" {
                (Op::Wildcard, vec![Value::Pattern(es_wildcard(&value))])
            } else {
                (Op::Eq, vec![Value::Str(value)])
            };
            Some(Expr::pred(Predicate::new(elastic_path(field), op, values, case), None))
        }
        _ => None,
    }
}

/// Elasticsearch `wildcard` syntax: `*`, `?`, and `\` escaping the next character.
fn es_wildcard(s: &str) -> Pattern {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => lit.push(chars.next().unwrap_or('\\')),
            '*' | '?' => {
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                pieces.push(if c == '*' { Piece::AnyChars } else { Piece::AnyChar });
            }
            other => lit.push(other),
        }
    }
    if !lit.is_empty() {
        pieces.push(Piece::Lit(lit));
    }
    Pattern(pieces)
}
