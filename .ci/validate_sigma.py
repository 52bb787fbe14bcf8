"""Parse and validate emitted Sigma rules with pySigma, as a user's tool chain would.

Usage: validate_sigma.py DIR   (every *.yml under DIR is one emitted rule)
Fails on any parse error or validator issue. Validators that need network data (MITRE
ATT&CK tag lists are downloaded at run time in pySigma 2) are skipped and named.
"""
import pathlib
import sys

from sigma.collection import SigmaCollection
from sigma.plugins import InstalledSigmaPlugins

# Style checks about repository layout, not rule correctness; and number_as_string, because a
# typed source rule that compares the string "6" must keep it a string (ruleport emits the
# number as its own value when the source means both).
IGNORED = {"filename_length", "duplicate_filename", "custom_attributes", "number_as_string"}


def main(root: str) -> int:
    files = sorted(pathlib.Path(root).rglob("*.yml"))
    if not files:
        print(f"validate_sigma: no rules under {root}")
        return 1
    validators = {
        name: cls() for name, cls in InstalledSigmaPlugins.autodiscover().validators.items() if name not in IGNORED
    }
    failures, skipped = 0, set()
    for path in files:
        coll = SigmaCollection.from_yaml(path.read_text(), collect_errors=True)
        errors = list(coll.errors) + [e for r in coll.rules for e in r.errors]
        # A rule pySigma could not parse is reported by its errors; validators need a parsed rule.
        for rule in (r for r in coll.rules if not r.errors):
            for name, v in validators.items():
                if name in skipped:
                    continue
                try:
                    errors.extend(v.validate(rule))
                except RuntimeError as e:  # needs data from the network
                    skipped.add(name)
                    print(f"validate_sigma: skipping validator {name}: {e}")
        for e in errors:
            failures += 1
            print(f"{path}: {e}")
    print(f"validate_sigma: {len(files)} rules, {failures} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
