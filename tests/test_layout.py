"""What ships never depends on the tests: the bot, the shell and the benchmarks share `localslack/`."""
import re

IMPORTS_TESTS = re.compile(r"^\s*(from tests[\s.]|import tests\b)", re.MULTILINE)


def test_nothing_outside_tests_imports_the_test_package(project_root):
    outside = [p for p in project_root.rglob("*.py")
               if not {"tests", ".venv", ".git", ".cache"} & set(p.relative_to(project_root).parts)]
    assert len(outside) > 20
    assert [str(p.relative_to(project_root)) for p in outside if IMPORTS_TESTS.search(p.read_text())] == []


def test_the_notices_renderers_receive_what_they_show_and_ask_the_database_nothing():
    """Every notice kind has its facts gathered in domain/ (domain/shown.py) and a renderer in handlers/
    that takes the notice and those facts: no session, so no query of its own."""
    import inspect

    from domain import notices, shown
    from handlers import notices as rendering

    assert set(rendering.RENDERERS) == set(shown.GATHER) == set(notices.KINDS)
    for kind, renderer in rendering.RENDERERS.items():
        parameters = list(inspect.signature(renderer).parameters)
        assert len(parameters) == 2 and "session" not in parameters, (kind, parameters)
        source = inspect.getsource(renderer)
        assert "session" not in source and "storage" not in source, kind
