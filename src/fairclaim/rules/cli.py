"""`fairclaim rules check FACTS.json`: the claim linter and fee statement as a command (I/O shell).

The only module in rules/ that touches files, the clock or stdout. Prints the `CheckResult` as JSON
on stdout. Exit codes: 0 when the facts were valid (whatever the decision); 2 when the file cannot
be read or the facts are invalid, with a message naming the bad field on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

EXIT_OK = 0
EXIT_INVALID = 2  # argparse's usage-error code: bad input, nothing decided


def register(subparsers: Any) -> None:
    rules = subparsers.add_parser(
        "rules", help="claim linter and fee statement (framework-free domain rules)"
    )
    verbs = rules.add_subparsers(dest="rules_verb", metavar="VERB", required=True)
    check = verbs.add_parser(
        "check",
        help="lint a claim and compute its fee statement; prints JSON",
        description="Run the claim linter and the fee statement on a claim's facts "
        "(schema: docs/facts/facts.schema.json) and print JSON with decision "
        "(send/hold/block), findings, statement and deadlines (the payment deadline a notice "
        "sent on `send_on`, default today, would set). `today` comes from the facts, else the "
        "real date. Exit 0 for valid facts whatever the decision, 2 for invalid facts.",
    )
    check.add_argument("facts", metavar="FACTS.json", help="claim facts as JSON ('-' for stdin)")
    check.set_defaults(func=run_check)


def _fail(message: str) -> int:
    print(f"fairclaim rules check: {message}", file=sys.stderr)
    return EXIT_INVALID


def run_check(args: argparse.Namespace) -> int:
    from fairclaim.rules.check import check_claim
    from fairclaim.rules.facts import InvalidFacts, parse_facts

    try:
        if args.facts == "-":
            text = sys.stdin.read()
        else:
            with open(args.facts, encoding="utf-8") as handle:
                text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(f"cannot read {args.facts}: {exc}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return _fail(f"invalid facts: {args.facts} is not JSON ({exc})")
    except RecursionError:
        return _fail(f"invalid facts: {args.facts} nests arrays or objects too deeply")
    if not isinstance(data, dict):
        return _fail("invalid facts: (top level): expected a JSON object")
    if data.get("today") is None:
        data["today"] = date.today().isoformat()  # the CLI shell is the one place with a clock
    try:
        facts = parse_facts(data)
    except InvalidFacts as exc:
        return _fail(str(exc))
    except RecursionError:
        return _fail(f"invalid facts: {args.facts} nests arrays or objects too deeply")
    result = check_claim(facts)
    json.dump(result.as_json(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return EXIT_OK
