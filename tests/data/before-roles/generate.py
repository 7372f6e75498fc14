"""How ``lifecycle-0004.db`` was made (kept as provenance; it runs only at commit d6c53f3, the last release
before per-project roles, whose schema is at migration 0004).

Projects as a team of that release left them: owners typed as names and as e-mails, one with no owner,
several revisions each, an archived one, scenarios, a team model and a fitted scaling law.

    git worktree add /tmp/before d6c53f3
    cd /tmp/before && PYTHONPATH=/tmp/before LIFECYCLE_DATABASE_URL=sqlite:////tmp/lifecycle-0004.db \\
        python /path/to/this/generate.py
"""

import os

from lifecycle.records.store import Store
from tests.support.example_project import example_project

store = Store(os.environ["LIFECYCLE_DATABASE_URL"])
ann = store.create_project("Support chatbot", description="Tier-1 answers", owner="ann", author="ann")
ann.scope.use_case = "answer tier-1 support questions"
ann = store.save_project(ann, author="ann", section="scope")
ann.select.model_id = "llama-2-7b"
ann = store.save_project(ann, author="bob", section="select")
lee = store.create_project("Contract classifier", owner="Lee@Example.com", author="lee")
lee.scope.use_case = "tag clauses"
store.save_project(lee, author="lee", section="scope")
store.create_project("Nobody's", owner="", author="")
old = store.create_project("Old pilot", owner="ann", author="ann")
store.set_archived(old, True, author="ann")
store.import_documents([example_project().content()], author="example")
