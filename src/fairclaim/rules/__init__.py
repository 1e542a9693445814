"""Framework-free domain rules: case states and the case log, limitation, §412, the claim linter
and the fee statement.

Nothing here imports Django or does I/O (tests/rules/test_purity.py checks it); callers pass plain
values, including `today`/`now`. The one exception is `cli.py`, the `fairclaim rules check` shell.

Modules: case_states (flow as data, `next_state`), case_log (hash chain), facts (input contract,
pydantic), periods (calendar arithmetic), limitation, registration (US §412), money (currency per
jurisdiction), deadlines (notice periods, reminders, the recipient's holiday calendar), domains
(registrable domains, Public Suffix List), open_licences (CC, CC0, public domain, GPL ...), rvg
(the §97a(3) UrhG lawyer-fee cap), linter (the rules), findings (a finding, its effect, the
decision), finding_texts (each finding code's title, plain sentence and legal source), sources
(statutes, sections, leading cases), scope (what the statement may price), fees (statement), check
(linter + statement + deadlines for one claim), cli.
"""
