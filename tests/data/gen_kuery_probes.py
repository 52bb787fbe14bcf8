"""Generate kuery probe documents and Elastic's own verdicts on them.

Runs Elastic's KQL library (elastic/detection-rules, lib/kql: parser and evaluator) over every
kuery query of the corpus and writes tests/data/kuery_probes.json, which the Rust test
`kuery_differential` replays through ruleport's IR and the emitted Sigma. The library is not
part of ruleport; fetch detection-rules and run, from the repository root:

    pip install "eql==1.0.1" "lark>=1.3.1"
    PYTHONPATH=<detection-rules>/lib/kql python3 tests/data/gen_kuery_probes.py ../shared/corpus

Probes are built from each query's own literals: a base document holding every literal, then
one change at a time to one field: the literal itself, its case flipped, a prefix or suffix
added, another value, the field missing, and one- and two-element arrays. Queries and
documents stay out of the file: it names the rule file (relative to the corpus) and stores the
base document plus each change.
"""

import ipaddress
import json
import pathlib
import sys
import tomllib

import kql
from kql import ast

MAX_FIELDS = 4


def literals(node, prefix, out):
    """(field path, sample value) for every field comparison, in query order."""
    if isinstance(node, ast.NestedQuery):
        literals(node.expr, prefix + node.field.name.split("."), out)
        return
    if isinstance(node, (ast.FieldComparison, ast.FieldRange)):
        path = prefix + node.field.name.split(".")
        for v in values(node.value):
            out.append((path, v))
        return
    if isinstance(node, list):
        for item in node:
            literals(item, prefix, out)
        return
    if isinstance(node, ast.KqlNode):
        for _, child in node.iter_slots():
            literals(child, prefix, out)


def values(v):
    if isinstance(v, (ast.OrValues, ast.AndValues)):
        return [x for item in v.items for x in values(item)]
    if isinstance(v, ast.NotValue):
        return values(v.value)
    if isinstance(v, ast.Wildcard):
        text = v.value.replace("*", "Q")
        return [text] if text.strip("Q") else []
    if isinstance(v, ast.Exists):
        return []
    if isinstance(v, (ast.String, ast.Number, ast.Boolean)):
        return [address_in(v.value)]
    return []


def address_in(value):
    """A CIDR literal is sampled by an address inside it (an IP field never holds a block)."""
    if isinstance(value, str) and "/" in value:
        try:
            net = ipaddress.ip_network(value, strict=False)
        except ValueError:
            return value
        return str(net.network_address + 1) if net.num_addresses > 1 else str(net.network_address)
    return value


def put(doc, path, value):
    cur = doc
    for key in path[:-1]:
        nxt = cur.get(key)
        if not isinstance(nxt, dict):
            nxt = cur[key] = {}
        cur = nxt
    cur[path[-1]] = value


def remove(doc, path):
    cur = doc
    for key in path[:-1]:
        cur = cur.get(key)
        if not isinstance(cur, dict):
            return
    cur.pop(path[-1], None)


def variants(value):
    out = [value, "zzz-other", [value], ["zzz-other", value], None]
    if isinstance(value, str):
        out += [value.swapcase(), "x" + value, value + "x"]
    return out


def probes_for(query):
    tree = kql.parse(query, optimize=False)
    evaluate = kql.get_evaluator(tree)
    pairs = []
    literals(tree, [], pairs)
    base = {}
    fields = []
    for path, value in pairs:
        if path not in fields:
            fields.append(path)
            put(base, path, value)
    probes = []
    for path in fields[:MAX_FIELDS]:
        firsts = [v for p, v in pairs if p == path][:2]
        for value in {json.dumps(v): v for f in firsts for v in variants(f)}.values():
            doc = json.loads(json.dumps(base))
            if value is None:
                remove(doc, path)
            else:
                put(doc, path, value)
            try:
                verdict = bool(evaluate(doc))
            except Exception:  # the evaluator rejects this document: no verdict
                continue
            probes.append({"field": ".".join(path), "value": value, "missing": value is None, "expected": verdict})
    try:
        base_verdict = bool(evaluate(base))
    except Exception:
        base_verdict = None
    return base, base_verdict, probes


def main(corpus):
    corpus = pathlib.Path(corpus)
    entries = []
    for sub in ["rules", "rules_building_block", "seeds"]:
        for path in sorted((corpus / "elastic" / sub).rglob("*.toml")):
            rule = tomllib.loads(path.read_text()).get("rule", {})
            if rule.get("language") != "kuery" or "query" not in rule:
                continue
            try:
                base, base_verdict, probes = probes_for(rule["query"])
            except Exception as e:  # not parsed by Elastic's library: recorded, not probed
                entries.append({"file": str(path.relative_to(corpus)), "error": str(e)[:200]})
                continue
            entries.append({"file": str(path.relative_to(corpus)), "base": base,
                            "base_expected": base_verdict, "probes": probes})
    out = pathlib.Path(__file__).with_name("kuery_probes.json")
    out.write_text(json.dumps(entries, sort_keys=True, separators=(",", ":")) + "\n")
    total = sum(len(e.get("probes", [])) for e in entries)
    print(f"{len(entries)} queries, {total} probes -> {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus")
