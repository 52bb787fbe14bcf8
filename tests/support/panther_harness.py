"""Run a Panther rule module on JSON logs, one verdict per line.

Usage: panther_harness.py RULE.py < logs.jsonl
Each log is wrapped in a minimal PantherEvent stand-in: a read-only mapping whose keys match
case-insensitively when the exact key is absent (the first such key wins), with `deep_get`
behaving like panther_core's (walks mappings only; returns the default when a step is missing or
the final value is None). Prints `true` / `false` per log, or `{"error": "..."}` when the rule
raises.
"""
import json
import sys
import types
from collections.abc import Mapping


def wrap(value):
    if isinstance(value, dict):
        return Event(value)
    if isinstance(value, list):
        return [wrap(item) for item in value]
    return value


class Event(Mapping):
    def __init__(self, data):
        self._data = data

    def _key(self, key):
        if key in self._data or not isinstance(key, str):
            return key
        lower = key.lower()
        return next((k for k in self._data if isinstance(k, str) and k.lower() == lower), key)

    def __getitem__(self, key):
        return wrap(self._data[self._key(key)])

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)

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
