"""The registries the apps plug into (STYLE.md, "Modules plug in through one declaration"; ADR 0007).

Each app declares itself once, in its `AppConfig.ready()`, with a `Module`: its case event types (what
each is called, what it means for the petitioner, what staff are told and who), and, as the modules
grow, its capabilities, navigation, metrics and demo builder. The core never names a module: the
case page, the citizen timeline, the staff notices and the messages to petitioners read the event
registry; `huiyin.cases.events.event_record` refuses an event type nobody declared.

Pure Python: no model imports, so any app may declare into it without an import cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Phase(StrEnum):
    """Where in a matter's life an event belongs (groups the event types; SPEC §3)."""

    REGISTRATION = "registration"  # 登记、受理、不予受理、导出、合并、移交
    ROUTING = "routing"  # 转送、交办、异议、退回、管辖争议
    HANDLING = "handling"  # 办理、延期、调解、答复
    ANSWER = "answer"  # 送达、评价、办结、重新办理
    REVIEW = "review"  # 复查、复核、听证
    SUPERVISION = "supervision"  # 督办、包案、重大紧急报告
    CONFIDENTIALITY = "confidentiality"  # 回避、被反映人核定
    CLOCK = "clock"  # 时限预警、超期、届满
    MODULE = "module"  # the mass-work modules' own events


Text = Callable[[Any], str | None]  # an event (huiyin.cases.models.CaseEvent) -> words, or None
Recipients = Callable[[Any], set[int]]  # an event -> the ids of the staff to tell


@dataclass(frozen=True)
class EventType:
    """One kind of case event and everything the product says about it.

    label      what staff call it (case page timeline, notice titles, audit)
    phase      where it belongs
    citizen    what it means for the petitioner in plain words (their timeline); None: an internal step
    notice     the staff notice's text, `str.format_map` over the event's data (and reason, actor, …)
    tells      who among the staff is told (user ids); None: nobody
    message    the message kind sent to the petitioner (huiyin.notify MessageKind value); None: none
    urgent     the staff notice is also sent by SMS (条例 §25 立即报告, an escalated 督办)
    notice_values  more placeholders for `notice`, computed from the event (e.g. a clock's name)
    """

    code: str
    label: str
    phase: Phase
    citizen: Text | None = None
    notice: str | None = None
    tells: Recipients | None = None
    message: str | None = None
    urgent: bool = False
    notice_values: Callable[[Any], dict[str, str]] | None = None  # more placeholders for `notice`


@dataclass(frozen=True)
class NavEntry:
    """One entry of the staff navigation bar.

    roles      the roles that see it (a capability of org/roles.py or the module's own); None: all staff
    superuser  a superuser sees it whatever their role (the audit log, the admin site)
    staff_flag only accounts with Django's is_staff see it (the admin site)
    """

    key: str  # what a view passes as `nav` to mark it current
    label: str
    url_name: str
    icon: str  # a Bootstrap Icons name, e.g. "bi-inboxes"
    order: int
    roles: frozenset[str] | None = None
    superuser: bool = False
    staff_flag: bool = False
    accesskey: str = ""


@dataclass(frozen=True)
class WorkQueue:
    """A tab of the staff workbench and a queue of the JSON API (`/api/v1/queues/{name}`)."""

    name: str
    label: str
    order: int
    select: Callable[[Any], Any]  # select(user) -> QuerySet[Case], scoped to what the user may see


@dataclass(frozen=True)
class CaseLink:
    """One line in the case page's 关联事项 panel: what the record is, its state, and where it is."""

    module: str  # the module's verbose name: "领导接待", "矛盾纠纷调解"
    label: str
    url: str
    note: str = ""  # its state or date, in words


@dataclass(frozen=True)
class Candidate:
    """A module's record that has run past its date: a 督办 candidate beside the cases' (条例 §40)."""

    module: str  # the module's verbose name: "矛盾纠纷排查"
    label: str
    url: str
    detail: str = ""  # why, in words: "化解期限2025-12-31，已逾期3天"
    unit: str = ""  # the responsible unit's name


@dataclass(frozen=True)
class ExportContext:
    """How one export writes its rows: `full` the identity the user asked to see unmasked (each reveal
    audited by the builder, 条例 §30¶3), `ip` the requester's address for those audit rows, `where` the
    list's name in the audit (`detail.export`)."""

    full: bool
    ip: str | None
    where: str


@dataclass(frozen=True)
class ExportKind:
    """One staff list's .xlsx export (issue 11 item 5), run by `huiyin.cases.exports.list_export`: short
    lists stream, long ones become an ExportJob the worker writes with progress, both audited.

    kind      the export's name, stored on the ExportJob and in the EXPORT audit row ("mediation_ledger")
    title     the file's and the sheet's name ("矛盾纠纷排查台账")
    columns   the sheet's `huiyin.core.xlsx.Column`s
    select    select(user, filters) -> QuerySet: the list as the user may see it, the list's filters
              (the request's query, strings) applied, in the list's order. The worker calls it again
              with the job's user and filters and keeps only the job's record ids inside it, so a long
              export never holds a row its user could not see when it is written.
    rows      rows(user, records, ctx) -> dicts by column key, for one batch of `records` from `select`
              (one query per batch for what the rows need); identity masked unless `ctx.full` and the
              user may see it, the reveal audited (IDENTITY_VIEW) by the builder
    identity  ?identity=full means something here (the list names petitioners or parties)
    """

    kind: str
    title: str
    columns: Sequence[Any]
    select: Callable[[Any, Mapping[str, str]], Any]
    rows: Callable[[Any, list[Any], ExportContext], Iterable[dict[str, Any]]]
    identity: bool = False


@dataclass(frozen=True)
class Module:
    """What one app plugs into the core (declared once, in its AppConfig.ready())."""

    name: str
    events: Iterable[EventType] = ()
    capabilities: Mapping[str, frozenset[str]] = field(default_factory=dict)
    navigation: Iterable[NavEntry] = ()
    # (order, dotted path of a django-tasks task): queued by `huiyin worker` every sweep, in order
    periodic_tasks: Iterable[tuple[int, str]] = ()
    # (order, callable): puts the module's reference data back after a flush (idempotent), and a cheap
    # check (one query) that it is there, so an ordinary migrate does not rewrite it
    reference_data: Iterable[tuple[int, Callable[[], None]]] = ()
    reference_data_present: Callable[[], bool] | None = None
    # path prefix -> renderer(request, status, message): refusals in the shape of that surface
    error_surfaces: Mapping[str, Callable[[Any, int, str], Any]] = field(default_factory=dict)
    # name -> function: aids a lower layer may offer when a module above provides them (the assist's
    # suggestions on a form), so the lower layer never imports the module
    aids: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    # the module's figures: `huiyin.analytics.registry.Metric`s (the core does not know their type); the
    # analytics registry collects them, so dashboards, scorecards, exports and docs/metrics.md show them
    metrics: Iterable[Any] = ()
    # (order, dotted path of builder(org, rng, today) -> dict of counts): the module's season of demo
    # data, built after the demo county's cases; the demo app finds it here and never imports a module
    demo: tuple[int, str] | None = None
    # links(case, user) -> [CaseLink]: the module's records about a case, shown on the staff case page
    # (a reception booking, the mediation chain), already scoped to what `user` may see
    case_links: Callable[[Any, Any], Iterable[CaseLink]] | None = None
    # visibility(user) -> Q over Case: the cases the user's unit takes part in through this module's
    # records (a co-handling task, a 督办 order), OR-ed into `cases.selectors.visible_to`'s scope; the
    # accused-side exclusion is applied after, whatever a module adds (条例 §30)
    visibility: Callable[[Any], Any] | None = None
    # the module's workbench tabs, in their order among every module's
    queues: Iterable[WorkQueue] = ()
    # identity_bar(case, user) -> True when `user` must not see who the petitioners are for a reason
    # this module knows (a declared conflict of interest); `cases.confidentiality.may_see_identity`
    # asks every module, and one True withholds the identity (条例 §30¶3)
    identity_bar: Callable[[Any, Any], bool] | None = None
    # candidates(user) -> [Candidate]: the module's overdue records for the 督办 page, already scoped to
    # what `user` may see (a screening item past its 化解期限)
    supervision_candidates: Callable[[Any], Iterable[Candidate]] | None = None
    # the module's staff lists that export to .xlsx (huiyin.cases.exports.list_export runs them)
    exports: Iterable[ExportKind] = ()


class UnknownEventType(LookupError):
    """An event type no module declared: a programming error, refused before anything is written."""


_MODULES: dict[str, Module] = {}
_EVENTS: dict[str, EventType] = {}
_CAPABILITIES: dict[str, frozenset[str]] = {}
_EXPORTS: dict[str, ExportKind] = {}


def declare(module: Module) -> Module:
    """Register `module`'s event types and capabilities. Declaring the same module again (a second
    `ready()`, e.g. in tests) replaces it; two modules may not declare the same event type."""
    previous = _MODULES.pop(module.name, None)
    if previous is not None:
        for et in previous.events:
            _EVENTS.pop(et.code, None)
        for name in previous.capabilities:
            _CAPABILITIES.pop(name, None)
        for ek in previous.exports:
            _EXPORTS.pop(ek.kind, None)
    for et in module.events:
        if et.code in _EVENTS:
            raise ValueError(f"event type {et.code!r} is declared twice")
        _EVENTS[et.code] = et
    for name, roles in module.capabilities.items():
        if name in _CAPABILITIES:
            raise ValueError(f"capability {name!r} is declared twice")
        _CAPABILITIES[name] = frozenset(roles)
    for ek in module.exports:
        if ek.kind in _EXPORTS:
            raise ValueError(f"export kind {ek.kind!r} is declared twice")
        _EXPORTS[ek.kind] = ek
    _MODULES[module.name] = module
    return module


class UnknownExportKind(LookupError):
    """An export kind no module declared (an old job's, or a programming error)."""


def export_kind(kind: str) -> ExportKind:
    """The declared export `kind`, or UnknownExportKind."""
    try:
        return _EXPORTS[kind]
    except KeyError:
        raise UnknownExportKind(f"export kind {kind!r} is not declared by any module") from None


def export_kinds() -> dict[str, ExportKind]:
    return dict(_EXPORTS)


def modules() -> list[Module]:
    return list(_MODULES.values())


def event_type(code: str) -> EventType:
    """The declared event type `code`, or UnknownEventType."""
    try:
        return _EVENTS[code]
    except KeyError:
        raise UnknownEventType(f"event type {code!r} is not declared by any module") from None


def event_types() -> list[EventType]:
    return list(_EVENTS.values())


def event_label(code: str) -> str:
    """What staff call an event; an undeclared code (an old row) is shown as stored, never a crash."""
    et = _EVENTS.get(code)
    return et.label if et else code


def navigation_for(user: Any) -> list[NavEntry]:
    """The navigation entries `user` sees, in order, from every declared module."""
    role = getattr(user, "role", None)
    superuser = bool(getattr(user, "is_superuser", False))
    found = []
    for module in _MODULES.values():
        for entry in module.navigation:
            if entry.staff_flag and not getattr(user, "is_staff", False):
                continue
            if entry.roles is not None and role not in entry.roles and not (entry.superuser and superuser):
                continue
            found.append(entry)
    return sorted(found, key=lambda e: (e.order, e.key))


def visibility_terms(user: Any) -> list[Any]:
    """The modules' extra visibility conditions for `user` (Q objects over Case)."""
    return [m.visibility(user) for m in _MODULES.values() if m.visibility is not None]


def work_queues() -> dict[str, WorkQueue]:
    """Every module's workbench queue by name, in order."""
    found = sorted((q for m in _MODULES.values() for q in m.queues), key=lambda q: (q.order, q.name))
    return {q.name: q for q in found}


def identity_barred(case: Any, user: Any) -> bool:
    """Does any module bar `user` from the petitioners' identity on `case`?"""
    return any(m.identity_bar(case, user) for m in _MODULES.values() if m.identity_bar is not None)


def case_links(case: Any, user: Any) -> list[CaseLink]:
    """Every module's links about `case` that `user` may follow (Module.case_links)."""
    return [link for m in _MODULES.values() if m.case_links is not None for link in m.case_links(case, user)]


def supervision_candidates(user: Any) -> list[Candidate]:
    """Every module's 督办 candidates that `user` may see (Module.supervision_candidates)."""
    return [
        c
        for m in _MODULES.values()
        if m.supervision_candidates is not None
        for c in m.supervision_candidates(user)
    ]


def demo_builders() -> list[tuple[str, str]]:
    """(module name, dotted path of its demo builder), in the declared order."""
    found = sorted((m.demo[0], m.name, m.demo[1]) for m in _MODULES.values() if m.demo is not None)
    return [(name, path) for _, name, path in found]


def periodic_tasks() -> list[str]:
    """Every module's periodic tasks, in their declared order (the worker queues them each sweep)."""
    found = [(order, path) for m in _MODULES.values() for order, path in m.periodic_tasks]
    return [path for _, path in sorted(found)]


def restore_reference_data() -> None:
    """Run every module's reference-data restorer, in order (after `migrate` and every `flush`), unless
    every module says its data is there."""
    present = [m.reference_data_present for m in _MODULES.values() if m.reference_data]
    if all(check is not None and check() for check in present):
        return
    found = [(order, i, fn) for i, m in enumerate(_MODULES.values()) for order, fn in m.reference_data]
    for _order, _i, restore in sorted(found, key=lambda t: (t[0], t[1])):
        restore()


def error_surface(path: str) -> Callable[[Any, int, str], Any] | None:
    """The renderer a module declared for requests under `path`, if any."""
    for module in _MODULES.values():
        for prefix, render in module.error_surfaces.items():
            if path.startswith(prefix):
                return render
    return None


def aid(name: str) -> Callable[..., Any] | None:
    """The aid `name` some module declared, or None when no module offers it."""
    for module in _MODULES.values():
        if name in module.aids:
            return module.aids[name]
    return None


def capability_roles(name: str) -> frozenset[str]:
    """The roles that hold capability `name` (KeyError if nobody declared it)."""
    return _CAPABILITIES[name]


def capabilities() -> dict[str, frozenset[str]]:
    return dict(_CAPABILITIES)
