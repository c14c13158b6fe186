"""The org chart behind the appraisal: superiors, peers, subordinates and skip-level managers
of the demo department; managers, roles and groups changed all or nothing, never in a loop;
who may edit the chart and read or review work logs.

Changes are flushed in the test's session and rolled back, so the demo org stays as loaded.
"""

from __future__ import annotations

import pytest

from engine.errors import Forbidden, InvalidData
from engine.runtime import Actor
from workflows import permissions
from workflows.demo import DEMO_GROUPS, load_demo_users
from workflows.org.models import ROLES
from workflows.org.operations import create_user, set_group, set_manager, set_roles, update_org
from workflows.org.queries import (
    direct_reports,
    org_chart,
    peers,
    skip_level,
    superior,
    user_by_name,
)
from workflows.worklog.models import GoalPlanChange, WorkLog

HR = Actor("hr", frozenset({"hr"}))
ADMIN = Actor("admin", frozenset({"admin"}))
SPECIALISTS = ["cs1", "cs2", "install1", "parts1", "quality1", "returns1", "tech1", "tech2"]


def person(session, username):
    return user_by_name(session, username)


def names(users) -> list[str]:
    return [u.username for u in users]


# -- the demo department --------------------------------------------------------------------------
def test_the_supervisor_leads_the_specialists(db_session):
    supervisor = person(db_session, "supervisor")
    assert names(direct_reports(db_session, supervisor)) == SPECIALISTS
    assert superior(db_session, supervisor).username == "manager"
    assert skip_level(db_session, supervisor).username == "director"
    assert peers(db_session, supervisor) == []


@pytest.mark.parametrize(
    ("username", "expected_peers"),
    [
        ("cs1", ["cs2"]),
        ("cs2", ["cs1"]),
        ("tech1", ["tech2"]),
        ("install1", []),
        ("quality1", []),
        ("supervisor", []),
        ("gm", []),  # nobody above: nobody beside
    ],
)
def test_peers_share_the_manager_and_the_role(db_session, username, expected_peers):
    assert names(peers(db_session, person(db_session, username))) == expected_peers


@pytest.mark.parametrize(
    ("username", "boss", "boss_of_boss"),
    [
        ("cs1", "supervisor", "manager"),
        ("tech2", "supervisor", "manager"),
        ("manager", "director", "gm"),
        ("hr", "director", "gm"),
        ("director", "gm", None),
        ("gm", None, None),
    ],
)
def test_superior_and_skip_level(db_session, username, boss, boss_of_boss):
    user = person(db_session, username)
    above = superior(db_session, user)
    assert (above.username if above else None) == boss
    skip = skip_level(db_session, user)
    assert (skip.username if skip else None) == boss_of_boss


def test_nobody_reports_to_a_specialist(db_session):
    assert direct_reports(db_session, person(db_session, "cs1")) == []


def test_peers_and_subordinates_are_active_people_only(db_session):
    supervisor = person(db_session, "supervisor")
    newcomer = create_user(
        db_session, "oc_cs3", "demo", roles=("customer_service",), manager=supervisor
    )
    leaver = create_user(
        db_session, "oc_cs4", "demo", roles=("customer_service",), manager=supervisor
    )
    leaver.active = False
    db_session.flush()
    assert names(peers(db_session, person(db_session, "cs1"))) == ["cs2", "oc_cs3"]
    assert "oc_cs4" not in names(direct_reports(db_session, supervisor))
    assert names(peers(db_session, newcomer)) == ["cs1", "cs2"]


def test_an_inactive_manager_is_no_superior(db_session):
    person(db_session, "supervisor").active = False
    db_session.flush()
    assert superior(db_session, person(db_session, "cs1")) is None
    assert skip_level(db_session, person(db_session, "cs1")) is None


def test_the_chart_is_a_tree_from_the_top(db_session):
    tops = {node.user.username: node for node in org_chart(db_session)}
    assert {"gm", "admin", "owner", "api"} <= set(tops)
    director = next(n for n in tops["gm"].reports if n.user.username == "director")
    manager = next(n for n in director.reports if n.user.username == "manager")
    assert [n.user.username for n in manager.reports] == ["supervisor"]
    assert [n.user.username for n in manager.reports[0].reports] == SPECIALISTS


def test_demo_groups(db_session):
    assert {u: person(db_session, u).group for u in DEMO_GROUPS} == DEMO_GROUPS
    assert person(db_session, "cs1").group == "客服组"
    assert person(db_session, "supervisor").group == "售后工程部"
    assert person(db_session, "gm").group is None


def test_loading_the_demo_again_keeps_a_group_someone_set(db_session):
    person(db_session, "cs2").group = "大客户组"
    person(db_session, "tech2").group = None
    assert load_demo_users(db_session) == 0
    assert person(db_session, "cs2").group == "大客户组"
    assert person(db_session, "tech2").group == "维修组"


# -- changing the chart ---------------------------------------------------------------------------
def test_hr_moves_a_person_and_sets_roles_and_group(db_session):
    tech2 = person(db_session, "tech2")
    update_org(
        db_session,
        tech2,
        HR,
        manager="manager",
        roles=["repair_tech", "tech_support"],
        group=" 安装组 ",
    )
    assert tech2.manager.username == "manager"
    assert tech2.roles == {"repair_tech", "tech_support"}
    assert tech2.group == "安装组"
    set_group(db_session, tech2, "  ", HR)
    assert tech2.group is None
    set_manager(db_session, tech2, None, HR)
    assert tech2.manager is None


def test_a_reporting_loop_is_refused(db_session):
    manager = person(db_session, "manager")
    with pytest.raises(InvalidData) as refused:
        set_manager(db_session, manager, "cs1", HR, locale="en")
    assert refused.value.status == 422
    (message,) = refused.value.errors["manager"]
    assert "already reports to" in message and "部门经理 李强" in message
    with pytest.raises(InvalidData) as refused:
        set_manager(db_session, manager, "supervisor", HR)
    assert "汇报环" in refused.value.errors["manager"][0]
    assert person(db_session, "manager").manager.username == "director"


def test_nobody_reports_to_themselves(db_session):
    with pytest.raises(InvalidData) as refused:
        set_manager(db_session, person(db_session, "cs1"), "cs1", HR, locale="en")
    assert "cannot report to themselves" in refused.value.errors["manager"][0]


@pytest.mark.parametrize("manager", ["nobody-here", 42])
def test_the_manager_is_an_active_user(db_session, manager):
    with pytest.raises(InvalidData) as refused:
        set_manager(db_session, person(db_session, "cs1"), manager, HR)
    assert "没有在职用户" in refused.value.errors["manager"][0]


@pytest.mark.parametrize("roles", [["customer_service", "wizard"], "customer_service", [1]])
def test_roles_are_known_keys(db_session, roles):
    with pytest.raises(InvalidData) as refused:
        set_roles(db_session, person(db_session, "cs1"), roles, HR)
    assert list(refused.value.errors) == ["roles"]
    assert person(db_session, "cs1").roles == {"customer_service"}


def test_a_bad_field_saves_nothing(db_session):
    cs1 = person(db_session, "cs1")
    with pytest.raises(InvalidData) as refused:
        update_org(db_session, cs1, HR, manager="manager", roles=["wizard"], group="x" * 51)
    assert set(refused.value.errors) == {"roles", "group"}
    assert (cs1.manager.username, cs1.roles, cs1.group) == (
        "supervisor",
        {"customer_service"},
        "客服组",
    )


def test_only_an_administrator_grants_or_takes_the_admin_role(db_session):
    cs1 = person(db_session, "cs1")
    with pytest.raises(Forbidden):
        set_roles(db_session, cs1, ["customer_service", "admin"], HR)
    with pytest.raises(Forbidden):
        set_roles(db_session, person(db_session, "admin"), ["hr"], HR)
    assert cs1.roles == {"customer_service"}
    set_roles(db_session, cs1, ["customer_service", "admin"], ADMIN)
    assert cs1.roles == {"customer_service", "admin"}


def test_an_administrator_keeps_their_own_admin_role(db_session):
    with pytest.raises(InvalidData) as refused:
        set_roles(db_session, person(db_session, "admin"), ["hr"], ADMIN, locale="en")
    assert "another administrator" in refused.value.errors["roles"][0]


@pytest.mark.parametrize("username", ["cs1", "supervisor", "manager", "gm"])
def test_only_hr_and_administrators_change_the_chart(db_session, username):
    actor = Actor(username, person(db_session, username).roles)
    with pytest.raises(Forbidden):
        set_group(db_session, person(db_session, "cs2"), "客服二组", actor)


# -- the permission matrix ------------------------------------------------------------------------
@pytest.mark.parametrize("role", sorted(ROLES))
def test_who_edits_the_chart_and_reads_filed_logs(role):
    actor = Actor("someone", frozenset({role}))
    assert permissions.may_edit_org(actor) is (role in {"admin", "hr"})
    assert permissions.may_see_filed_logs(actor) is (role in {"hr", "admin"})
    assert permissions.may_change_role(actor, "admin") is (role == "admin")
    assert permissions.may_change_role(actor, "customer_service") is (role in {"admin", "hr"})


def test_nobody_without_a_role_edits_or_reads_filed_logs():
    nobody = Actor("nobody")
    assert not permissions.may_edit_org(nobody) and not permissions.may_see_filed_logs(nobody)


# (who acts, may read cs1's log, may review it)
LOG_MATRIX = [
    ("cs1", True, False),  # the author: reads, never reviews their own
    ("supervisor", True, True),  # the manager
    ("cs2", False, False),  # a peer
    ("manager", False, False),  # the skip level: not their review
    ("hr", True, False),  # filed with HR
    ("admin", True, False),
    ("tech1", False, False),
]


@pytest.mark.parametrize(("username", "reads", "reviews"), LOG_MATRIX)
def test_who_reads_and_reviews_a_work_log(db_session, username, reads, reviews):
    actor = Actor(username, person(db_session, username).roles)
    log = WorkLog(employee="cs1", day=None, author=person(db_session, "cs1"))
    change = GoalPlanChange(employee="cs1", author=person(db_session, "cs1"))
    assert permissions.may_read_logs_of(actor, log.author) is reads
    assert permissions.may_review_log(actor, log) is reviews
    assert permissions.may_decide_plan_change(actor, change) is reviews
