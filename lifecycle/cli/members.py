"""``lifecycle projects members | share | unshare | transfer | visibility | whoami``: who may see and change
a project, as the identity ``LIFECYCLE_USER`` names (unset: the local administrator of the database)."""

from __future__ import annotations

from lifecycle.cli._io import print_json
from lifecycle.display import terminal_text
from lifecycle.records.access import identity_from_environment
from lifecycle.records.store import Store


def register(cmds) -> None:
    p = cmds.add_parser("members", help="list a project's members and their roles")
    p.add_argument("name", help="project name or id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_members)

    p = cmds.add_parser("share", help="add a member by e-mail, or change their role (owner only)")
    p.add_argument("name", help="project name or id")
    p.add_argument("email")
    p.add_argument("--role", choices=["viewer", "editor"], default="viewer")
    p.set_defaults(func=_share)

    p = cmds.add_parser("unshare", help="remove a member (owner only)")
    p.add_argument("name", help="project name or id")
    p.add_argument("email")
    p.set_defaults(func=_unshare)

    p = cmds.add_parser("transfer", help="hand ownership to a member's e-mail; you stay on as editor")
    p.add_argument("name", help="project name or id")
    p.add_argument("email")
    p.set_defaults(func=_transfer)

    p = cmds.add_parser("visibility", help="'team': every signed-in person may view; 'members': members only")
    p.add_argument("name", help="project name or id")
    p.add_argument("scope", choices=["team", "members"])
    p.set_defaults(func=_visibility)

    p = cmds.add_parser("whoami", help="the identity this command acts as (LIFECYCLE_USER)")
    p.set_defaults(func=_whoami)


def _members(args) -> int:
    store = Store()
    project = store.get_project(args.name)
    people = store.members(project.id)
    if args.json:
        print_json([m.model_dump(mode="json") for m in people])
        return 0
    for m in people:
        print(f"{m.role.name:<7} {terminal_text(m.principal)}")
    return 0


def _share(args) -> int:
    store = Store()
    project = store.get_project(args.name)
    email = args.email.strip().lower()
    sharing = store.sharing(project.id)  # one command reads and acts: the version it read goes with the action
    if email in {m.principal for m in sharing.members}:
        store.set_member_role(project.id, email, args.role, access_version=sharing.version)
    else:
        store.add_member(project.id, email, args.role, access_version=sharing.version)
    print(f"{terminal_text(email)} is now {args.role} of {terminal_text(project.name)}.")
    return 0


def _unshare(args) -> int:
    store = Store()
    project = store.get_project(args.name)
    store.remove_member(project.id, args.email, access_version=store.sharing(project.id).version)
    print(f"Removed {terminal_text(args.email.strip().lower())} from {terminal_text(project.name)}.")
    return 0


def _transfer(args) -> int:
    store = Store()
    project = store.get_project(args.name)
    saved = store.transfer_ownership(project.id, args.email, access_version=store.sharing(project.id).version)
    print(f"{terminal_text(saved.owner)} now owns {terminal_text(saved.name)} (version {saved.version}).")
    return 0


def _visibility(args) -> int:
    store = Store()
    project = store.get_project(args.name)
    store.set_team_visible(project.id, args.scope == "team", access_version=store.sharing(project.id).version)
    print(f"{terminal_text(project.name)} is visible to " + ("the whole team." if args.scope == "team" else
                                                              "its members only."))
    return 0


def _whoami(args) -> int:
    me = identity_from_environment()
    kind = "local administrator (LIFECYCLE_USER unset)" if me.local else (
        "team admin" if me.admin else "user under the project roles")
    print(f"{terminal_text(me.display)} — {kind}")
    return 0

