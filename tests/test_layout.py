"""What ships never depends on the tests: the bot, the shell and the benchmarks share `localslack/`."""
import re

IMPORTS_TESTS = re.compile(r"^\s*(from tests[\s.]|import tests\b)", re.MULTILINE)


def test_nothing_outside_tests_imports_the_test_package(project_root):
    outside = [p for p in project_root.rglob("*.py")
               if not {"tests", ".venv", ".git", ".cache"} & set(p.relative_to(project_root).parts)]
    assert len(outside) > 20
    assert [str(p.relative_to(project_root)) for p in outside if IMPORTS_TESTS.search(p.read_text())] == []
