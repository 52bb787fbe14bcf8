"""Run a Panther rule module on JSON logs, one verdict per line.

Usage: panther_harness.py RULE.py < logs.jsonl
Each log is wrapped in a minimal PantherEvent stand-in: a dict with `deep_get` behaving like
panther_core's (walks mappings only; returns the default when a step is missing or the final
value is None). Prints `true` / `false` per log, or `{"error": "..."}` when the rule raises.
"""
import json
import sys
import types
from collections.abc import Mapping


class Event(dict):
    def deep_get(self, *keys, default=None):
        out = self
        for key in keys:
            out = out.get(key, default) if isinstance(out, Mapping) else default
        return default if out is None else out


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        source = f.read()
    module = types.ModuleType("rule_under_test")
    exec(compile(source, sys.argv[1], "exec"), module.__dict__)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            print(json.dumps(bool(module.rule(Event(json.loads(line))))))
        except Exception as e:  # the verdict of a rule that raises is an error, not False
            print(json.dumps({"error": f"{type(e).__name__}: {e}"}))


main()
