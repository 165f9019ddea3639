"""Status checks go through the models' predicates (`incident.is_draft`, `meeting.can_cancel`),
never a comparison with the status's spelling in a template or a view: the rule then lives in
one place, the one the services guard with (CONVENTIONS.md, Workflows)."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "node_modules", "var", ".git"}

# Attributes that hold a record's state: a status, a level, a decision, a role...
STATUS_LIKE = r"[\w.]*\b(?:\w*status|state|\w*level|\w*decision|outcome|kind|role)"
TEMPLATE_COMPARISON = re.compile(
    STATUS_LIKE + r"\s*(?:==|!=|\bin\b|\bnot in\b)\s*['\"]"
    r"|['\"]\s*(?:==|!=)\s*" + STATUS_LIKE + r"\b"
)
# Django's own message levels are not a record's state.
ALLOWED_IN_TEMPLATES = re.compile(r"\bmessage\.level_tag\b")

STATUS_ATTRIBUTES = {
    "status",
    "review_status",
    "state",
    "level",
    "final_level",
    "recommended_level",
    "outcome",
    "decision",
    "marac_decision",
    "kind",
    "role",
}


def template_offenders(text: str) -> list[str]:
    return [
        match.group(0)
        for tag in re.findall(r"{%.*?%}", text, flags=re.DOTALL)
        for match in TEMPLATE_COMPARISON.finditer(tag)
        if not ALLOWED_IN_TEMPLATES.match(match.group(0))
    ]


def test_no_template_compares_a_status_with_a_string():
    offenders = [
        f"{path.relative_to(ROOT)}: {found}"
        for path in (ROOT / "templates").rglob("*.html")
        for found in template_offenders(path.read_text())
    ]
    assert offenders == []


def test_the_template_check_finds_a_comparison():
    # The check itself: each shape a status comparison takes, and what it leaves alone.
    assert template_offenders('{% if incident.status == "draft" %}')
    assert template_offenders("{% elif decision.review_status != 'returned' %}")
    assert template_offenders('{% if request.user.role == "admin" %}')
    assert template_offenders('{% if level == "standard" and gaps %}')
    assert template_offenders('{% if "held" == meeting.status %}')
    assert not template_offenders("{% if incident.is_draft %}")
    assert not template_offenders("{% if message.level_tag == 'success' %}")
    assert not template_offenders('<p>status == "draft"</p>')


def _view_modules():
    for app in ROOT.iterdir():
        if not app.is_dir() or app.name in SKIP:
            continue
        for path in app.rglob("*.py"):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or SKIP & set(parts):
                continue
            if {"views", "apis"} & set(parts) or path.stem in {"views", "apis"}:
                yield path


def compared_status_attributes(source: str) -> list[str]:
    """`x.status == ...`, `x.role in ...`: comparisons of a record's state attribute (a view's
    own settings, `self.kind`, are not a record's)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        for side in (node.left, *node.comparators):
            if (
                isinstance(side, ast.Attribute)
                and side.attr in STATUS_ATTRIBUTES
                and not (isinstance(side.value, ast.Name) and side.value.id == "self")
            ):
                found.append(f"line {node.lineno}: .{side.attr}")
    return found


def test_no_view_compares_a_status():
    offenders = [
        f"{path.relative_to(ROOT)} {found}"
        for path in _view_modules()
        for found in compared_status_attributes(path.read_text())
    ]
    assert offenders == []


def test_the_view_check_finds_a_comparison():
    assert compared_status_attributes("x = meeting.status != MeetingStatus.CANCELLED")
    assert compared_status_attributes("x = request.user.role in READERS")
    assert not compared_status_attributes("x = meeting.is_cancelled")
    assert not compared_status_attributes("x = self.kind == 'csv'")
