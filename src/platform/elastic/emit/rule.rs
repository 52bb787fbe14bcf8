//! Whole Elastic rules: a detection-rules TOML file and a Kibana-importable NDJSON line, with
//! the query in kuery and the metadata mapped.
//!
//! - severity and risk score: the source's own risk score when it has one, else Elastic's
//!   usual score for the severity (21 / 47 / 73 / 99);
//! - MITRE ATT&CK: one `threat` block per tactic with its techniques (sub-techniques under
//!   their parent);
//! - index: the source's index patterns when it is an Elastic rule, else `logs-*` with a note;
//! - rule_id: the source's UUID, else a stable UUIDv5 of the source id.

use crate::backend::{written, Backend, EmitCtx, OutputFile};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::{Attack, Case, Duration, Expr, ExprKind, Level, Op, Pattern, Piece, Platform, Rule, Value};
use serde_json::{json, Map, Value as Json};

pub struct ElasticRule;

impl Backend for ElasticRule {
    fn id(&self) -> &'static str {
        "elastic_rule"
    }
    fn cli_name(&self) -> &'static str {
        "elastic-rule"
    }
    fn emit(&self, rule: &Rule, _ctx: &EmitCtx, diags: &mut Diagnostics) -> Option<Vec<OutputFile>> {
        let filter = crate::passes::fit::filter_only(rule, "an Elastic rule", diags)?;
        let (query_part, filters) = split_filters(filter);
        let mut query_rule = rule.clone();
        query_rule.query = crate::ir::Query::filter(query_part);
        let query = super::kuery::query_text(&query_rule, diags)?;
        let mut fields = rule_fields(rule, query, diags);
        if !filters.is_empty() {
            fields.insert("filters".into(), Json::Array(filters));
        }
        let toml = toml_file(rule, &fields, diags)?;
        let mut ndjson = fields.clone();
        ndjson.insert("enabled".into(), Json::Bool(rule.meta.enabled.unwrap_or(true)));
        ndjson.insert("max_signals".into(), json!(100));
        ndjson.insert("version".into(), json!(1));
        let line = written(serde_json::to_string(&Json::Object(ndjson)), "Kibana NDJSON line", diags)? + "\n";
        Some(vec![
            OutputFile { suffix: ".toml".into(), content: toml },
            OutputFile { suffix: ".ndjson".into(), content: line },
        ])
    }
}

/// The rule's keys, shared by both outputs (sorted as detection-rules writes them).
fn rule_fields(rule: &Rule, query: String, diags: &mut Diagnostics) -> Map<String, Json> {
    let m = &rule.meta;
    let level = m.level.as_ref().map_or(Level::Medium, |l| l.level);
    let severity = match level {
        Level::Info => {
            let msg = "Elastic has no informational severity: written as low";
            diags.push(Diagnostic::note(Code::Metadata, msg));
            "low"
        }
        other => other.as_str(),
    };
    let own = rule.extra_of(Platform::Elastic);
    let risk = own.and_then(|x| x.get("risk_score")).and_then(Json::as_u64).unwrap_or(match level {
        Level::Info | Level::Low => 21,
        Level::Medium => 47,
        Level::High => 73,
        Level::Critical => 99,
    });
    let mut f = Map::new();
    let authors = if m.authors.is_empty() { vec!["ruleport".to_string()] } else { m.authors.clone() };
    f.insert("author".into(), json!(authors));
    let description = if m.description.is_empty() { m.title.clone() } else { m.description.clone() };
    f.insert("description".into(), json!(description));
    if !m.false_positives.is_empty() {
        f.insert("false_positives".into(), json!(m.false_positives));
    }
    let window = rule.effective_correlation().and_then(|c| c.window);
    let lookback = m.schedule.as_ref().and_then(|s| s.lookback);
    if let (Some(w), Some(l)) = (window, lookback) {
        if w != l {
            let msg = format!(
                "the source counts matching events within {w}; the Elastic rule counts them within its look-back of {l}"
            );
            diags.push(Diagnostic::lossy(Code::LossyCorrelation, msg));
        }
    }
    // A threshold's window is the rule's look-back when the source sets no schedule.
    let lookback = lookback.or(window).unwrap_or(Duration::from_minutes(9));
    f.insert("from".into(), json!(format!("now-{}", elastic_duration(lookback))));
    if let Some(i) = m.schedule.as_ref().and_then(|s| s.interval) {
        f.insert("interval".into(), json!(elastic_duration(i)));
    }
    f.insert("index".into(), json!(index(rule, diags)));
    f.insert("language".into(), json!("kuery"));
    f.insert("name".into(), json!(if m.title.is_empty() { &m.id } else { &m.title }));
    if let Some(note) = &m.runbook {
        f.insert("note".into(), json!(note));
    }
    if !m.references.is_empty() {
        f.insert("references".into(), json!(m.references));
    }
    f.insert("risk_score".into(), json!(risk));
    f.insert("rule_id".into(), json!(rule_id(rule)));
    f.insert("severity".into(), json!(severity));
    if !m.tags.is_empty() {
        f.insert("tags".into(), json!(m.tags));
    }
    let threat = threat(&m.attack);
    if !threat.is_empty() {
        f.insert("threat".into(), Json::Array(threat));
    }
    let kind = own.and_then(|x| x.get("type")).and_then(Json::as_str).unwrap_or("query");
    match (kind, own.and_then(|x| x.get("new_terms")), rule.threshold()) {
        // An Elastic source's new-terms condition carries over as it was.
        ("new_terms", Some(n), _) => {
            f.insert("new_terms".into(), n.clone());
            f.insert("type".into(), json!("new_terms"));
        }
        // An alert after n matching events per group: a threshold rule.
        (_, _, Some(n)) if n > 1 || kind == "threshold" => {
            f.insert("threshold".into(), threshold_of(rule, n, diags));
            f.insert("type".into(), json!("threshold"));
        }
        // A distinct-value threshold from an Elastic source carries over as it was.
        (_, _, None)
            if kind == "threshold"
                && rule.correlation.is_some()
                && own.is_some_and(|x| x.contains_key("threshold")) =>
        {
            let t = own.and_then(|x| x.get("threshold")).cloned().unwrap_or_default();
            f.insert("threshold".into(), t);
            f.insert("type".into(), json!("threshold"));
        }
        _ => {
            crate::passes::fit::correlation_not_kept(rule, "an Elastic query rule", diags);
            f.insert("type".into(), json!("query"));
        }
    }
    f.insert("query".into(), json!(query.trim_end()));
    f
}

/// Conditions kuery cannot say but a Kibana filter can (case-insensitive patterns) become
/// filters; the rest stays the query. Both are ANDed by Elastic.
fn split_filters(filter: Expr) -> (Expr, Vec<Json>) {
    let items = match filter.kind {
        ExprKind::And(items) => items,
        kind => vec![Expr { kind, span: filter.span }],
    };
    let as_filters: Vec<Option<Json>> = items.iter().map(kibana_filter).collect();
    if as_filters.iter().all(Option::is_some) {
        // A rule needs a query: keep everything there.
        return (Expr::and(items, filter.span), Vec::new());
    }
    let (mut rest, mut filters) = (Vec::new(), Vec::new());
    for (item, f) in items.into_iter().zip(as_filters) {
        match f {
            Some(f) => filters.push(f),
            None => rest.push(item),
        }
    }
    (crate::passes::simplify(Expr::and(rest, filter.span)), filters)
}

fn kibana_filter(e: &Expr) -> Option<Json> {
    let (negate, p) = match &e.kind {
        ExprKind::Not(inner) => match &inner.kind {
            ExprKind::Pred(p) => (true, p),
            _ => return None,
        },
        ExprKind::Pred(p) => (false, p),
        _ => return None,
    };
    if p.case != Case::Insensitive || p.values.len() != 1 {
        return None;
    }
    let field = super::dotted_field_name(&p.field)?;
    let pattern = match (p.op, &p.values[0]) {
        (Op::Wildcard | Op::Eq, Value::Pattern(pat)) => pat.clone(),
        (Op::Eq, Value::Str(s)) => Pattern::literal(s.clone()),
        (Op::Contains, Value::Str(s)) => {
            Pattern(vec![Piece::AnyChars, Piece::Lit(s.clone()), Piece::AnyChars])
        }
        (Op::StartsWith, Value::Str(s)) => Pattern(vec![Piece::Lit(s.clone()), Piece::AnyChars]),
        (Op::EndsWith, Value::Str(s)) => Pattern(vec![Piece::AnyChars, Piece::Lit(s.clone())]),
        _ => return None,
    };
    let value = super::dsl::wildcard_pattern(&pattern);
    Some(json!({
        "meta": {"negate": negate},
        "query": {"wildcard": {field: {"value": value, "case_insensitive": true}}},
    }))
}

/// Elastic's date-math units: whole seconds at the finest.
fn elastic_duration(d: Duration) -> String {
    if d.millis.is_multiple_of(Duration::SECOND) {
        d.to_string()
    } else {
        format!("{}s", d.millis.div_ceil(Duration::SECOND))
    }
}

/// `[rule.threshold]`: the groups (dotted field names) and the count; an Elastic source's
/// distinct-value condition (`cardinality`) is kept as it was, since the IR's event count has
/// no place for a second condition.
fn threshold_of(rule: &Rule, n: u64, diags: &mut Diagnostics) -> Json {
    let group = rule.correlation.as_ref().map(|c| c.group_by.as_slice()).unwrap_or_default();
    let by: Vec<String> = group.iter().filter_map(super::dotted_field_name).collect();
    if by.len() != group.len() {
        let msg = "the source's group fields are not all dotted field names: the threshold counts ungrouped";
        diags.push(Diagnostic::lossy(Code::LossyCorrelation, msg));
    }
    let mut t = Map::new();
    t.insert("field".into(), json!(by));
    t.insert("value".into(), json!(n));
    let own = rule.extra_of(Platform::Elastic).and_then(|x| x.get("threshold"));
    if let Some(card) = own.and_then(|t| t.get("cardinality")) {
        t.insert("cardinality".into(), card.clone());
    }
    Json::Object(t)
}

fn index(rule: &Rule, diags: &mut Diagnostics) -> Vec<String> {
    let own = rule.logsource.native_ids(Platform::Elastic);
    if !own.is_empty() {
        return own;
    }
    if let Some(product) = rule.logsource.product.as_deref().filter(|p| *p != "custom") {
        let index = format!("logs-{}*", product.to_lowercase());
        let msg = format!(
            "Elastic index `{index}` derived from the log source's product; check it names your data"
        );
        diags.push(Diagnostic::note(Code::Metadata, msg));
        return vec![index];
    }
    let msg = "no Elastic index for this rule's log source: written as `logs-*`; narrow it";
    diags.push(Diagnostic::note(Code::Metadata, msg));
    vec!["logs-*".into()]
}

fn rule_id(rule: &Rule) -> String {
    let id = &rule.meta.id;
    if uuid::Uuid::parse_str(id).is_ok() {
        return id.clone();
    }
    rule.stable_uuid()
}

/// One block per tactic; techniques listed under it, sub-techniques under their parent.
fn threat(attack: &[Attack]) -> Vec<Json> {
    let mut tactics: Vec<&str> = Vec::new();
    for a in attack {
        if let Some(t) = a.tactic.as_deref() {
            if !tactics.contains(&t) {
                tactics.push(t);
            }
        }
    }
    let mut out = Vec::new();
    for tactic in tactics {
        let name = Attack::tactic_name(tactic).map(title_case).unwrap_or_else(|| tactic.to_string());
        let mut techniques: Vec<Json> = Vec::new();
        for t in attack
            .iter()
            .filter(|a| a.tactic.as_deref() == Some(tactic))
            .filter_map(|a| a.technique.as_deref())
        {
            let (parent, sub) = match t.split_once('.') {
                Some((p, _)) => (p, Some(t)),
                None => (t, None),
            };
            let pos = techniques.iter().position(|x| x["id"] == parent);
            let idx = pos.unwrap_or_else(|| {
                techniques.push(technique(parent));
                techniques.len() - 1
            });
            if let (Some(sub), Some(obj)) = (sub, techniques[idx].as_object_mut()) {
                let subs = obj.entry("subtechnique").or_insert_with(|| json!([]));
                if let Some(list) = subs.as_array_mut() {
                    list.push(technique(sub));
                }
            }
        }
        let mut block = Map::new();
        block.insert("framework".into(), json!("MITRE ATT&CK"));
        if !techniques.is_empty() {
            block.insert("technique".into(), Json::Array(techniques));
        }
        block.insert(
            "tactic".into(),
            json!({"id": tactic, "name": name, "reference": format!("https://attack.mitre.org/tactics/{tactic}/")}),
        );
        out.push(Json::Object(block));
    }
    out
}

/// A technique reference (the IR keeps ids only; the id stands in for the name).
fn technique(id: &str) -> Json {
    let path = id.replace('.', "/");
    json!({"id": id, "name": id, "reference": format!("https://attack.mitre.org/techniques/{path}/")})
}

fn title_case(s: &str) -> String {
    s.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn toml_file(rule: &Rule, fields: &Map<String, Json>, diags: &mut Diagnostics) -> Option<String> {
    let mut metadata = Map::new();
    let date = |d: &Option<String>| d.as_ref().map(|d| d.replace('-', "/"));
    if let Some(d) = date(&rule.meta.date) {
        metadata.insert("creation_date".into(), json!(d));
    }
    metadata
        .insert("maturity".into(), json!(rule.meta.status.clone().unwrap_or_else(|| "development".into())));
    if let Some(d) = date(&rule.meta.modified).or(date(&rule.meta.date)) {
        metadata.insert("updated_date".into(), json!(d));
    }
    let doc = json!({"metadata": metadata, "rule": fields});
    let table: toml::Table = written(serde_json::from_value(doc), "detection-rules TOML", diags)?;
    let header = format!(
        "# Converted by ruleport from {} ({})\n",
        rule.origin.path.display().to_string().replace(['\n', '\r'], " "),
        rule.meta.id.replace(['\n', '\r'], " ")
    );
    Some(header + &written(toml::to_string(&table), "detection-rules TOML", diags)?)
}
