"""Small helpers shared by the AppTest tests."""


def ok(at):
    """The AppTest run raised nothing; returns it for chaining."""
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at, label_start: str):
    """Click the first button whose label starts with ``label_start`` and rerun."""
    next(b for b in at.button if b.label.startswith(label_start)).click().run()
    return ok(at)
