//! Panther rules: a `.py` whose `rule(event)` holds the detection, and a `.yml` with the
//! metadata and the source's Tests, ready for `panther_analysis_tool test`.
//!
//! - `expr`: IR → Python boolean expression with the evaluator's semantics;
//! - `writer`: the expression tree, its printer, and `py_str`, the one escaping function.

mod expr;
mod writer;

use crate::backend::{Backend, EmitCtx, OutputFile};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::{Level, Platform, Rule};
use serde::Serialize;
use writer::comment;

pub struct PantherPython;

impl Backend for PantherPython {
    fn id(&self) -> &'static str {
        "panther_python"
    }
    fn cli_name(&self) -> &'static str {
        "panther"
    }
    fn emit(&self, rule: &Rule, ctx: &EmitCtx, diags: &mut Diagnostics) -> Option<Vec<OutputFile>> {
        let filter = crate::passes::fit::filter_only(rule, "a Panther streaming rule", diags)?;
        // Panther's own correlation is a threshold of the rule's events; anything else is dropped.
        if rule.threshold().is_none() {
            crate::passes::fit::correlation_not_kept(rule, "a Panther streaming rule", diags);
        }
        let mut c = expr::Ctx::new(diags);
        let body = c.expr(&filter)?;
        let py = module(rule, &body, &c.needs);
        let yml = PantherYml::new(rule, &ctx.stem, diags);
        let yml = crate::backend::written(serde_yaml::to_string(&yml), "Panther rule YAML", diags)?;
        Some(vec![
            OutputFile { suffix: ".py".into(), content: py },
            OutputFile { suffix: ".yml".into(), content: yml },
        ])
    }
}

const HELPERS: &[(&str, &str)] = &[
    (
        "_is_list",
        "def _is_list(value):\n    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))\n",
    ),
    (
        "_is_number",
        "def _is_number(value):\n    return isinstance(value, (int, float)) and not isinstance(value, bool)\n",
    ),
    (
        "_icontains",
        "def _icontains(value, needle):\n    \"\"\"Case-insensitive: substring of a string, or equal to an element of a list.\"\"\"\n    if isinstance(value, str):\n        return needle in value.lower()\n    return _is_list(value) and any(isinstance(item, str) and item.lower() == needle for item in value)\n",
    ),
    (
        "_in_cidr",
        "def _in_cidr(value, block):\n    if not isinstance(value, str):\n        return False\n    try:\n        return ipaddress.ip_address(value.strip()) in ipaddress.ip_network(block, strict=False)\n    except ValueError:\n        return False\n",
    ),
    (
        "_has",
        "def _has(value, *path):\n    \"\"\"Whether every key of the path is present (its value may be None).\"\"\"\n    for step in path:\n        if not isinstance(value, Mapping) or step not in value:\n            return False\n        value = value[step]\n    return True\n",
    ),
    (
        "_at",
        "def _at(value, *path):\n    \"\"\"Follow keys and list positions; None when a step is absent.\"\"\"\n    for step in path:\n        if isinstance(step, int):\n            if not _is_list(value) or not -len(value) <= step < len(value):\n                return None\n        elif not isinstance(value, Mapping) or step not in value:\n            return None\n        value = value[step]\n    return value\n",
    ),
    (
        "_each",
        "def _each(value):\n    \"\"\"The elements of a list; any other value (None included) counts as one element.\"\"\"\n    return value if _is_list(value) else [value]\n",
    ),
    (
        "_terms",
        "def _terms(value, *path):\n    \"\"\"The values reached by following keys, through lists at every step (None where absent).\"\"\"\n    found = [value]\n    for step in path:\n        reached = []\n        for item in found:\n            item = item.get(step) if isinstance(item, Mapping) else None\n            if _is_list(item):\n                reached.extend(item)\n            else:\n                reached.append(item)\n        found = reached\n    return found\n",
    ),
    (
        "_named",
        "def _named(value, pattern):\n    \"\"\"Leaf values whose dotted field name matches the pattern (`*` spans dots); [None] if none.\"\"\"\n    name_re = re.compile(\".*\".join(re.escape(part) for part in pattern.split(\"*\")), re.S)\n    found = []\n\n    def walk(item, name):\n        if isinstance(item, Mapping):\n            for key, sub in item.items():\n                walk(sub, f\"{name}.{key}\" if name else key)\n        elif _is_list(item):\n            for sub in item:\n                walk(sub, name)\n        elif name and name_re.fullmatch(name):\n            found.append(item)\n\n    walk(value, \"\")\n    return found or [None]\n",
    ),
    (
        "_words",
        "def _words(text):\n    \"\"\"Lowercase words, as Elasticsearch's standard analyzer splits text (approximately).\"\"\"\n    out, cur = [], \"\"\n    for i, c in enumerate(text):\n        prev = text[i - 1] if i else \"\"\n        nxt = text[i + 1] if i + 1 < len(text) else \"\"\n        if c in \".'\":\n            joins = prev.isalnum() and nxt.isalnum()\n        elif c == \":\":\n            joins = prev.isalpha() and nxt.isalpha()\n        else:\n            joins = False\n        if c.isalnum() or c == \"_\" or (joins and cur):\n            cur += c\n        elif cur:\n            out.append(cur.lower())\n            cur = \"\"\n    if cur:\n        out.append(cur.lower())\n    return out\n",
    ),
    (
        "_phrase",
        "def _phrase(value, phrase):\n    \"\"\"An analysed text field holds the phrase's words, consecutively and in order.\"\"\"\n    if not isinstance(value, str):\n        return False\n    want, have = _words(phrase), _words(value)\n    return bool(want) and any(have[i : i + len(want)] == want for i in range(len(have) - len(want) + 1))\n",
    ),
    (
        "_json",
        "def _json(value):\n    \"\"\"The document JSON text holds; None for anything else.\"\"\"\n    if not isinstance(value, str):\n        return None\n    try:\n        return json.loads(value)\n    except ValueError:\n        return None\n",
    ),
    (
        "_json_null",
        "def _json_null(value):\n    \"\"\"JSON text that parses to null.\"\"\"\n    if not isinstance(value, str):\n        return False\n    try:\n        return json.loads(value) is None\n    except ValueError:\n        return False\n",
    ),
    (
        "_in_order",
        "def _in_order(items, found, goes_on):\n    \"\"\"Visit items in order: True at the first one found, False at the first that does not go on.\"\"\"\n    for item in items:\n        if found(item):\n            return True\n        if not goes_on(item):\n            return False\n    return False\n",
    ),
    (
        "_elements",
        "def _elements(value):\n    \"\"\"The elements of a list; None has none, any other value is one element.\"\"\"\n    if value is None:\n        return []\n    return value if _is_list(value) else [value]\n",
    ),
];

/// The `.py` module: provenance comment, imports, helpers, `rule(event)`.
fn module(rule: &Rule, body: &writer::Py, needs: &expr::Needs) -> String {
    let mut helpers = needs.helpers.clone();
    if helpers
        .iter()
        .any(|h| matches!(*h, "_icontains" | "_at" | "_each" | "_elements" | "_terms" | "_named"))
    {
        helpers.insert("_is_list");
    }
    if helpers.contains("_phrase") {
        helpers.insert("_words");
    }
    let mut out =
        comment(&format!("Converted by ruleport from {} ({})", rule.origin.path.display(), rule.meta.id));
    let mut imports: Vec<String> = needs.imports.iter().map(|m| format!("import {m}\n")).collect();
    if needs.mapping || helpers.contains("_is_list") || helpers.contains("_at") || helpers.contains("_has") {
        imports.insert(0, "from collections.abc import Mapping, Sequence\n".into());
    }
    if !imports.is_empty() {
        out.push('\n');
        out.extend(imports);
    }
    for (name, code) in HELPERS {
        if helpers.contains(name) {
            out.push_str("\n\n");
            out.push_str(code);
        }
    }
    out.push_str("\n\ndef rule(event):\n");
    out.push_str(&body.render_return("    "));
    out
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PantherYml {
    analysis_type: &'static str,
    filename: String,
    #[serde(rename = "RuleID")]
    rule_id: String,
    display_name: String,
    enabled: bool,
    severity: &'static str,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    runbook: Option<String>,
    log_types: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reports: Option<Reports>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dedup_period_minutes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    threshold: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alert_title: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tests: Vec<TestOut>,
}

#[derive(Serialize)]
struct Reports {
    #[serde(rename = "MITRE ATT&CK")]
    mitre: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TestOut {
    name: String,
    expected_result: bool,
    log: serde_json::Value,
}

impl PantherYml {
    fn new(rule: &Rule, stem: &str, diags: &mut Diagnostics) -> Self {
        let m = &rule.meta;
        let mitre: Vec<String> = m
            .attack
            .iter()
            .filter_map(|a| match (&a.tactic, &a.technique) {
                (Some(ta), Some(t)) => Some(format!("{ta}:{t}")),
                (Some(ta), None) => Some(ta.clone()),
                (None, Some(t)) => Some(t.clone()),
                (None, None) => None,
            })
            .collect();
        let mut references = m.references.iter();
        let reference = references.next().cloned();
        let mut description = m.description.clone();
        let others: Vec<&String> = references.collect();
        if !others.is_empty() {
            description.push_str(&format!(
                "\n\nReferences: {}",
                others.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
        PantherYml {
            analysis_type: "rule",
            filename: format!("{stem}.py"),
            rule_id: if m.id.is_empty() { stem.to_string() } else { m.id.clone() },
            display_name: m.title.clone(),
            enabled: m.enabled.unwrap_or(true),
            severity: severity(m.level.as_ref().map(|l| l.level)),
            description,
            reference,
            runbook: m.runbook.clone(),
            log_types: log_types(rule, diags),
            tags: m.tags.clone(),
            reports: (!mitre.is_empty()).then_some(Reports { mitre }),
            dedup_period_minutes: dedup_minutes(rule, diags),
            threshold: rule.threshold(),
            alert_title: None,
            tests: tests_out(rule, diags),
        }
    }
}

/// `DedupPeriodMinutes`: the correlation's window when the rule counts events, else the
/// source's dedup period, in whole minutes (Panther's unit).
fn dedup_minutes(rule: &Rule, diags: &mut Diagnostics) -> Option<u64> {
    let window = rule.effective_correlation().and_then(|c| c.window);
    if let Some(c) = rule
        .effective_correlation()
        .filter(|c| !c.group_by.is_empty() && c.group_by != rule.meta.dedup_fields)
    {
        let names: Vec<String> = c.group_by.iter().map(|f| format!("`{f}`")).collect();
        let msg = format!(
            "the source counts matching events per {}; the Panther rule has no dedup() and counts them all together",
            names.join(", ")
        );
        diags.push(Diagnostic::lossy(Code::LossyCorrelation, msg));
    }
    let d = window.or(rule.meta.dedup_period)?;
    if d.exact_minutes().is_none() {
        let msg = format!("the source's window of {d} is rounded up to {} whole minutes", d.ceil_minutes());
        diags.push(Diagnostic::lossy(Code::LossyCorrelation, msg));
    }
    Some(d.ceil_minutes())
}

/// The rule's single-event tests; a test over a stream of events has no Panther form.
fn tests_out(rule: &Rule, diags: &mut Diagnostics) -> Vec<TestOut> {
    let mut out = Vec::new();
    for t in &rule.tests {
        match t.log() {
            Some(log) => {
                out.push(TestOut { name: t.name.clone(), expected_result: t.expected, log: log.clone() })
            }
            None => {
                let msg = format!(
                    "test `{}` runs over a stream of events; Panther rule tests hold one event",
                    t.name
                );
                diags.push(Diagnostic::warning(Code::Metadata, msg).with_span(t.span));
            }
        }
    }
    out
}

fn severity(level: Option<Level>) -> &'static str {
    match level {
        Some(Level::Info) => "Info",
        Some(Level::Low) => "Low",
        Some(Level::High) => "High",
        Some(Level::Critical) => "Critical",
        Some(Level::Medium) | None => "Medium",
    }
}

/// The source's own Panther log types, else `Product.Service` built from the log source.
fn log_types(rule: &Rule, diags: &mut Diagnostics) -> Vec<String> {
    let own = rule.logsource.native_ids(Platform::Panther);
    if !own.is_empty() {
        return own;
    }
    let ls = &rule.logsource;
    let parts: Vec<String> = [&ls.product, &ls.service]
        .into_iter()
        .flatten()
        .map(|s| heck::AsUpperCamelCase(s).to_string())
        .collect();
    let derived = if parts.is_empty() { "Custom.Unknown".to_string() } else { parts.join(".") };
    let msg = format!(
        "Panther LogTypes derived from the log source as `{derived}`; check it names a real log type"
    );
    diags.push(Diagnostic::note(Code::Metadata, msg));
    vec![derived]
}
