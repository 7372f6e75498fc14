"""The project store on SQLite and on a real PostgreSQL server: CRUD, revisions, optimistic
locking, duplicate names, JSON round trip."""

import json

import pytest

from lifecycle.errors import ConflictError, DuplicateName, InvalidInput, NotFound
from lifecycle.records.scenarios import LegacyScenario
from lifecycle.records.transfer import export_json, import_json, parse_export

ODD_NAMES = [
    "<script>alert(1)</script>",
    "Robert'); DROP TABLE projects;--",
    "📈 Émoji ünïcode プロジェクト",
    "x" * 200,
    "name with | pipes * and _markdown_ [link](http://x)",
]


def test_create_get_list_and_delete(any_store):
    p = any_store.create_project("Support chatbot", description="Answers tickets", author="ann")
    assert p.id is not None and p.version == 1
    assert any_store.get_project(p.id).name == "Support chatbot"
    assert any_store.get_project("support CHATBOT").id == p.id
    assert [s.name for s in any_store.list_projects()] == ["Support chatbot"]
    assert [s.name for s in any_store.list_projects("tickets")] == ["Support chatbot"]
    assert any_store.list_projects("nothing-like-this") == []
    any_store.delete_project(p.id, version=p.version)
    with pytest.raises(NotFound):
        any_store.get_project(p.id)
    assert any_store.list_projects(archived=None) == []


def test_every_save_writes_a_revision_with_the_full_document(any_store):
    p = any_store.create_project("Clause classifier", author="ann")
    p.scope.tasks = ["text-classification"]
    p.scope.saved_at = p.updated_at
    p = any_store.save_project(p, author="bob", section="scope")
    p.select.model_id = "bert-base-uncased"
    p.select.scenarios.append(LegacyScenario(original_kind="memory", name="LoRA on 1xA100", inputs={"b": 8},
                                              results={"gib": 12.5}))
    p = any_store.save_project(p, author="cy", section="select")
    history = any_store.history(p.id)
    assert [(r.version, r.author, r.section) for r in history] == [
        (3, "cy", "select"), (2, "bob", "scope"), (1, "ann", "created")]
    old = any_store.get_revision(history[1].id)
    assert old.scope.tasks == ["text-classification"] and old.select.model_id is None
    latest = any_store.get_revision(history[0].id)
    assert latest.select.scenarios[0].results == {"gib": 12.5}
    summary = any_store.list_projects()[0]
    assert summary.stages_done == ("scope",) and summary.version == 3


def test_restore_revision_makes_old_content_current_as_a_new_revision(any_store):
    p = any_store.create_project("P", author="ann")
    p.scope.notes = "first"
    p = any_store.save_project(p, section="scope")
    p.scope.notes = "second"
    p = any_store.save_project(p, section="scope")
    first = next(r for r in any_store.history(p.id) if r.version == 2)
    restored = any_store.restore_revision(p, first.id, author="ann")
    assert restored.scope.notes == "first" and restored.version == 4
    assert any_store.history(p.id)[0].summary == "Restored revision 2"


def test_stale_save_is_refused_and_loses_nothing(any_store):
    p = any_store.create_project("Shared", author="ann")
    alice = any_store.get_project(p.id)
    bob = any_store.get_project(p.id)
    alice.scope.notes = "alice's notes"
    any_store.save_project(alice, author="alice", section="scope")
    bob.scope.notes = "bob's notes"
    with pytest.raises(ConflictError) as err:
        any_store.save_project(bob, author="bob", section="scope")
    assert "changed by alice" in str(err.value) and "reload" in str(err.value)
    assert err.value.changed_by == "alice"
    stored = any_store.get_project(p.id)
    assert stored.scope.notes == "alice's notes" and stored.version == 2
    assert len(any_store.history(p.id)) == 2


def test_duplicate_names_are_refused_case_insensitively(any_store):
    a = any_store.create_project("Alpha")
    any_store.create_project("Beta")
    with pytest.raises(DuplicateName):
        any_store.create_project("ALPHA")
    with pytest.raises(DuplicateName):
        any_store.rename_project(a, "beta")
    with pytest.raises(DuplicateName):
        any_store.duplicate_project(a, "Beta")
    assert sorted(s.name for s in any_store.list_projects()) == ["Alpha", "Beta"]


@pytest.mark.parametrize("bad", ["", "   ", "\n\t", "x" * 10_000])
def test_blank_or_huge_names_get_a_clear_message(any_store, bad):
    with pytest.raises(InvalidInput) as err:
        any_store.create_project(bad)
    assert "name" in str(err.value).lower()
    assert any_store.list_projects(archived=None) == []


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_names_are_stored_verbatim(any_store, name):
    p = any_store.create_project(name, description=name)
    assert any_store.get_project(p.id).name == name
    assert any_store.get_project(name).id == p.id
    assert any_store.list_projects(name[:10])[0].name == name


def test_archive_restore_rename_duplicate(any_store):
    p = any_store.create_project("Original", author="ann")
    p = any_store.set_archived(p, True)
    assert any_store.list_projects() == [] and any_store.list_projects(archived=True)[0].name == "Original"
    p = any_store.set_archived(p, False)
    p = any_store.rename_project(p, "Renamed")
    copy = any_store.duplicate_project(p, "Copy of renamed", author="bob")
    assert copy.id != p.id and copy.content()["scope"] == p.content()["scope"]
    assert any_store.history(copy.id)[0].summary == "Duplicated from Renamed"
    assert {s.name for s in any_store.list_projects()} == {"Renamed", "Copy of renamed"}


def test_json_round_trip_is_identical(any_store, store):
    p = any_store.create_project("Round trip", description="<b>x</b> & 'quotes' 📈", author="ann")
    p.scope.tasks = ["summarization", "translation"]
    p.adapt.scenarios.append(LegacyScenario(original_kind="memory", name="s1", inputs={"seq": 2048},
                                             results={"peak": 1.5e10}))
    p = any_store.save_project(p, section="adapt")
    text = export_json(any_store)
    imported = import_json(store, text)
    # An import is a save by the importer (issue 27, class 9): its own time, everything else identical.
    assert all(q.updated_at >= p.updated_at for q in imported)
    assert [_but_time(q.content()) for q in imported] == [_but_time(p.content())]
    exported, original = json.loads(export_json(store)), json.loads(text)
    assert [_but_time(d) for d in exported["projects"]] == [_but_time(d) for d in original["projects"]]


def _but_time(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "updated_at"}


@pytest.mark.parametrize("payload,fragment", [
    (b"", "not valid JSON"),
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe\x00", "UTF-8"),
    (b"[1, 2, 3]", "Not a project export"),
    (b'{"format": "something-else", "projects": []}', "Not a project export"),
    (b'{"format": "genai-lifecycle-planner/projects", "projects": []}', "no projects"),
    (b'{"format": "genai-lifecycle-planner/projects", "projects": [{"name": ""}]}', "not valid"),
    (b'{"format": "genai-lifecycle-planner/projects", "projects": [{"name": "a", "scope": {"input_tokens": -5}}]}',
     "scope.input_tokens"),
    ((b'{"format": "genai-lifecycle-planner/projects", "schema_version": 1, "projects": [{"name": "a", '
      b'"schema_version": 99}]}'), "schema version"),
    (b'{"format": "genai-lifecycle-planner/projects", "projects": [{"name": "a"}, {"name": "A"}]}', "two projects"),
])
def test_bad_import_files_get_a_clear_error_and_change_nothing(store, payload, fragment):
    store.create_project("Existing")
    with pytest.raises(InvalidInput) as err:
        import_json(store, payload)
    assert fragment in str(err.value)
    assert [s.name for s in store.list_projects(archived=None)] == ["Existing"]


def test_import_with_a_taken_name_imports_nothing(store):
    store.create_project("Taken")
    text = '{"format": "genai-lifecycle-planner/projects", "projects": [{"name": "Fresh"}, {"name": "taken"}]}'
    with pytest.raises(DuplicateName):
        import_json(store, text)
    assert [s.name for s in store.list_projects(archived=None)] == ["Taken"]


def test_single_project_document_is_accepted(store):
    docs = parse_export('{"name": "Solo", "description": "one project, not wrapped"}')
    assert docs[0]["name"] == "Solo"


def test_listing_pages_in_sql_and_counts_what_matches(any_store):
    for i in range(7):
        any_store.create_project(f"Paged {i}", description="batch" if i % 2 else "")
    first = any_store.list_projects(sort="name", limit=3)
    rest = any_store.list_projects(sort="name", limit=10, offset=3)
    assert [s.name for s in first + rest] == [f"Paged {i}" for i in range(7)]
    assert any_store.count_projects() == 7
    assert any_store.count_projects("batch") == 3
    assert any_store.count_projects(archived=True) == 0


def test_an_all_digit_name_is_refused_and_digits_always_mean_an_id(any_store):
    with pytest.raises(InvalidInput, match="only digits"):
        any_store.create_project("2024")
    first = any_store.create_project("Alpha")
    second = any_store.create_project(f"Project {first.id}")
    assert any_store.get_project(str(first.id)).name == "Alpha"  # never the project *named* like the id
    assert any_store.get_project(f"project {first.id}").id == second.id
    with pytest.raises(InvalidInput, match="only digits"):
        any_store.rename_project(second, str(first.id))


@pytest.mark.parametrize("ref", [2**31, 2**63, 10**30, -1, 0, "99999999999999999999999"])
def test_an_id_no_column_can_hold_is_simply_not_found(any_store, ref):
    with pytest.raises(NotFound):
        any_store.get_project(ref)


def test_saving_an_unchanged_document_is_a_no_op_without_a_revision(any_store):
    """Found on PostgreSQL: two identical saves within a second wrote history [1, 2, 2]."""
    p = any_store.create_project("Steady")
    p.scope.notes = "changed"
    p2 = any_store.save_project(p, author="a", section="scope")
    same = any_store.save_project(p2, author="a", section="scope")
    again = any_store.save_project(same, author="b", section="scope")
    assert (p2.version, same.version, again.version) == (2, 2, 2)
    assert [r.version for r in any_store.history(p.id)] == [2, 1]
    p2.scope.notes = "changed again"
    assert any_store.save_project(p2, author="a", section="scope").version == 3
    versions = [r.version for r in any_store.history(p.id)]
    assert versions == sorted(set(versions), reverse=True)  # one revision per version, never repeated


@pytest.mark.parametrize("length", [250, 10_000])
def test_an_overlong_author_name_is_one_line_on_every_backend(any_store, length):
    """Found on PostgreSQL: a 250-character user name reached the database as a raw StringDataRightTruncation."""
    with pytest.raises(InvalidInput, match="characters long; the limit is"):
        any_store.create_project("Long author", author="x" * length)
    p = any_store.create_project("Short author", author="ann")
    p.scope.notes = "changed"
    with pytest.raises(InvalidInput, match="characters long; the limit is"):
        any_store.save_project(p, author="y" * length, section="scope")
    assert any_store.get_project(p.id).version == 1
