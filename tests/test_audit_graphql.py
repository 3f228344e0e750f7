"""The GraphQL-over-HTTP specification's own audit (npm graphql-http) against a real server."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live_server import REPO_ROOT, live_server

AUDIT = Path(__file__).resolve().parents[1].parent / "shared/conformance/audit-graphql"

#: The app under audit: the real service on the real Ballerina graph.
APP_FACTORY = "server.app:create_app"

_ROW = re.compile(r"^(?P<id>\w{4})\t(?P<status>ok|error|warn|notice|fatal)\s*\t(?P<name>.+)$")
_SUMMARY = re.compile(r"^(?P<passed>\d+) passed, (?P<failed>\d+) failed$")


@dataclass(frozen=True)
class AuditRow:
    id: str
    status: str
    name: str

    @property
    def level(self) -> str:
        return self.name.split(" ", 1)[0]  # MUST | SHOULD | MAY


def parse_audit(output: str) -> tuple[list[AuditRow], int, int]:
    rows = [AuditRow(**m.groupdict()) for line in output.splitlines() if (m := _ROW.match(line))]
    summaries = [m for line in output.splitlines() if (m := _SUMMARY.match(line))]
    assert len(summaries) == 1, f"no 'N passed, N failed' line in:\n{output}"
    return rows, int(summaries[0]["passed"]), int(summaries[0]["failed"])


def test_parse_audit_reads_rows_and_summary() -> None:
    output = (
        "22EB\tok   \tSHOULD accept application/graphql-response+json and match\n"
        "4655\terror\tMUST accept application/json and match the content-type\n"
        "      reason: nope\n"
        "1 passed, 1 failed\n"
        "(failures by status: 1 error [MUST], 0 warn [SHOULD], 0 notice [MAY], 0 fatal)\n"
    )
    rows, passed, failed = parse_audit(output)
    assert [(r.id, r.status, r.level) for r in rows] == [
        ("22EB", "ok", "SHOULD"),
        ("4655", "error", "MUST"),
    ]
    assert (passed, failed) == (1, 1)


@pytest.mark.conformance
@pytest.mark.skipif(not AUDIT.is_file(), reason=f"the conformance audit is not at {AUDIT}")
def test_graphql_over_http_audit_passes_every_must_and_should() -> None:
    log = REPO_ROOT / "tests" / "artifacts" / "audit_server.log"
    with live_server(APP_FACTORY, log_path=log) as base_url:
        audit = subprocess.run(
            [str(AUDIT), f"{base_url}/graphql", "--verbose"],
            capture_output=True,
            text=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )
    output = audit.stdout
    rows, passed, failed = parse_audit(output)
    assert rows, f"the audit printed no results:\n{output}\n{audit.stderr}"
    assert len(rows) == passed + failed
    assert {row.level for row in rows} == {"MUST", "SHOULD", "MAY"}

    fatal = [row for row in rows if row.status == "fatal"]
    must = [row for row in rows if row.level == "MUST" and row.status != "ok"]
    should = [row for row in rows if row.level == "SHOULD" and row.status != "ok"]
    may = [row for row in rows if row.level == "MAY" and row.status != "ok"]
    assert not fatal, f"audits that could not run: {fatal}\n{output}"
    assert not must, f"MUST audits failed: {must}\n{output}"
    assert not should, f"SHOULD audits failed: {should}\n{output}"
    # Every MAY passes today too: keep it that way unless a choice is made against one.
    assert not may, f"MAY audits failed: {may}\n{output}"
    assert audit.returncode == 0, output

    # Nothing the audit sent (much of it malformed on purpose) may reach the server's error log.
    server_log = log.read_text(errors="replace")
    assert "Traceback" not in server_log and "ERROR" not in server_log, server_log
