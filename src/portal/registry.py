"""What each feature adds to the shell, declared once: menu items per role, top-page panels,
task kinds, questions it answers for other features, and CLI commands.

A feature's package builds one `Feature(...)` and the app factory registers it; `home`
renders the union of what the society's modules registered and imports no feature. Features
never import each other: where one needs a fact another owns (may this trainee enter cases?),
it asks the registry (`answer`), and a society without the owning module gets the default.
(Indico's `signals.menu.items`; CTFd's `register_user_page_menu_bar`.)
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import click
from flask import Blueprint, Flask, current_app, g, has_app_context, url_for
from markupsafe import Markup

from portal import requirements
from portal.accounts.models import Role
from portal.i18n import N_

NOT_BUILT = N_("この機能は現在準備中です。")


@dataclass(frozen=True)
class MenuItem:
    """One link of the side menu as the user sees it; disabled ones say why."""

    label: str
    endpoint: str | None
    reason: str | None = None  # why it is disabled
    href: str | None = None  # an outside page (the society's manual)

    @property
    def enabled(self) -> bool:
        return self.reason is None and (self.endpoint is not None or self.href is not None)

    @property
    def url(self) -> str | None:
        if not self.enabled:
            return None
        return self.href or url_for(self.endpoint)


Gate = Callable[[Any, Any], "str | None"]  # (user, rules) -> reason it is disabled, or None


@dataclass(frozen=True)
class Menu:
    """A feature's menu entry for some roles. `order` places it among every feature's items
    (home 0, the feature's own pages 10-49, profile 50, later pages 55-89, manual 90);
    `label_key` lets a society reword it (rules.toml [terminology])."""

    label: str
    endpoint: str | None
    roles: frozenset[str]
    order: int
    gate: Gate | None = None
    href: Callable[[Any], str | None] | None = None  # rules -> outside URL
    label_key: str | None = None

    def item(self, user, rules) -> MenuItem:
        label = rules.term(self.label_key, self.label, user.role) if self.label_key else self.label
        if self.endpoint is None and self.href is None:
            return MenuItem(label, None, NOT_BUILT)
        href = self.href(rules) if self.href else None
        if self.href and not href:
            return MenuItem(label, None, NOT_BUILT)
        reason = self.gate(user, rules) if self.gate else None
        return MenuItem(label, self.endpoint, reason, href)


@dataclass(frozen=True)
class Panel:
    """A card of the top page for some roles. `render(user)` returns its HTML, or None when
    it has nothing to show for this user. `page(user)`, when given, answers the whole top page
    on its own fast path; home uses it only when this is the user's one panel."""

    roles: frozenset[str]
    order: int
    render: Callable[[Any], Markup | None]
    page: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class TaskKind:
    """A kind of task a feature opens: its title, and the URL argument its `related_id` fills
    in the task's link (None: the endpoint takes none)."""

    title: str
    arg: str | None = None


@dataclass(frozen=True)
class Queue:
    """A list where items wait on someone, for the secretariat's dashboard: `counts(today)`
    answers {state: [count per age bucket]} (portal.queues), and `endpoint` is the list,
    which filters on ?status=<state>&age=<bucket>."""

    label: str
    endpoint: str
    states: dict[str, str]  # the waiting states, in the order shown
    counts: Callable[[Any], dict[str, list[int]]]
    order: int = 50


@dataclass(frozen=True)
class Feature:
    name: str
    blueprint: Blueprint
    module: str | None = None  # the rules.toml module that turns it on; None: every society
    menus: tuple[Menu, ...] = ()
    panels: tuple[Panel, ...] = ()
    tasks: dict[str, TaskKind] = field(default_factory=dict)
    answers: dict[str, Callable[..., Any]] = field(default_factory=dict)
    commands: tuple[click.Command, ...] = ()
    queues: tuple[Queue, ...] = ()

    def on_for(self, rules) -> bool:
        return self.module is None or rules.has_module(self.module)


class Registry:
    def __init__(self) -> None:
        self.features: list[Feature] = []

    def add(self, feature: Feature) -> None:
        if any(f.name == feature.name for f in self.features):
            raise RuntimeError(f"feature {feature.name} registered twice")
        self.features.append(feature)

    def enabled(self, rules) -> Iterable[Feature]:
        return (f for f in self.features if f.on_for(rules))

    def menu(self, user, rules) -> list[MenuItem]:
        entries = [(m.order, i, m) for i, f in enumerate(self.enabled(rules))
                   for m in f.menus if user.role in m.roles]
        items = [m.item(user, rules) for _order, _i, m in sorted(entries, key=lambda e: e[:2])]
        locks = requirements.locks_by_endpoint(rules) if user.role == Role.trainee.value else {}
        return [self._locked(item, user, rules, locks.get(item.endpoint, ())) for item in items]

    def _locked(self, item: MenuItem, user, rules, locking) -> MenuItem:
        """A menu item a requirement locks (rules.toml `locks`) names that requirement as the
        reason it is closed; the feature's own gate still refuses on the server."""
        for requirement in locking:
            if not self.requirement_met(requirement, user, rules):
                return replace(item, reason=requirements.lock_message(requirement))
        return item

    def requirement_met(self, requirement, user, rules) -> bool:
        """Whether `user` meets one requirement now, for a menu on every page: the feature
        owning the fact may answer cheaply ("requirement_met:<kind>", e.g. a value the request
        already has); otherwise every feature's facts for this one trainee, once per request."""
        met = self.answer(f"requirement_met:{requirement.kind}", rules, user, requirement)
        if met is not None:
            return bool(met)
        facts = g.get("portal_requirement_facts") if has_app_context() else None
        if facts is None:
            found = self.collect("requirement_facts", rules, [user.id], requirements.today())
            facts = found.get(user.id, {})
            if has_app_context():
                g.portal_requirement_facts = facts
        [result] = requirements.evaluate(rules, facts, [requirement])
        return result.met

    def panels(self, user, rules) -> list[Panel]:
        found = [(p.order, i, p) for i, f in enumerate(self.enabled(rules))
                 for p in f.panels if user.role in p.roles]
        return [p for _order, _i, p in sorted(found, key=lambda e: e[:2])]

    def queues(self, rules) -> list[Queue]:
        found = [(q.order, i, q) for i, f in enumerate(self.enabled(rules)) for q in f.queues]
        return [q for _order, _i, q in sorted(found, key=lambda e: e[:2])]

    def task_kind(self, kind: str) -> TaskKind | None:
        return next((f.tasks[kind] for f in self.features if kind in f.tasks), None)

    def answer(self, question: str, rules, *args: Any, default: Any = None) -> Any:
        """What the society's modules say to `question`; `default` when none of them owns it."""
        for feature in self.enabled(rules):
            if question in feature.answers:
                return feature.answers[question](*args)
        return default

    def owns(self, question: str, rules) -> bool:
        """Whether one of the society's modules answers `question` (a filter it feeds is shown)."""
        return any(question in f.answers for f in self.enabled(rules))

    def collect(self, question: str, rules, *args: Any) -> dict[int, dict[str, Any]]:
        """Every enabled feature's answer to `question`, merged per key (a trainee id): each
        answers `fn(rules, *args) -> {id: {fact: value}}` for many ids at once. Two features
        answering the same fact would make one silently win, so that is an error."""
        merged: dict[int, dict[str, Any]] = {}
        for feature in self.enabled(rules):
            answer = feature.answers.get(question)
            if answer is None:
                continue
            for key, facts in answer(rules, *args).items():
                mine = merged.setdefault(key, {})
                clash = mine.keys() & facts.keys()
                assert not clash, f"{feature.name} answers {sorted(clash)}, answered already"
                mine.update(facts)
        return merged


def init_app(app: Flask, features: Iterable[Feature]) -> Registry:
    registry = Registry()
    for feature in features:
        registry.add(feature)
        app.register_blueprint(feature.blueprint)
        for command in feature.commands:
            app.cli.add_command(command)
    app.extensions["portal.registry"] = registry
    return registry


def registry() -> Registry:
    return current_app.extensions["portal.registry"]
