"""Reads of the smart assist: suggestions computed from text, always scoped to what the user may see.

Every function here returns aids — a suggestion with its reason and score — and decides nothing
(SPEC §1 principle 4, §3.8). Duplicate detection links matters; it never flags a person.
"""

from __future__ import annotations

import os
import re
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Count, Max, Q, QuerySet
from django.utils.dateparse import parse_datetime

from huiyin.assist import duplicates
from huiyin.assist.classify import CategoryModel, model_path
from huiyin.assist.gazetteer import Gazetteer, Place
from huiyin.assist.models import CaseBand, CaseSignature, HotIssueSnapshot
from huiyin.assist.services import band_rows, decode, is_blank, signature_text
from huiyin.cases.choices import OPEN_STATUSES, Decision, NotAcceptedReason, OpinionStage, Status
from huiyin.cases.models import Case, CasePetitioner, Category, Petitioner
from huiyin.cases.selectors import visible_to
from huiyin.core import timeutil
from huiyin.core.parsing import parse_id
from huiyin.org.choices import RuleKey
from huiyin.org.models import Territory, Unit, User
from huiyin.org.rules import days_text
from huiyin.org.selectors import case_rules
from huiyin.workflow.choices import ClockKind
from huiyin.workflow.clocks import extension_rule
from huiyin.workflow.models import Clock
from huiyin.workflow.routing import Suggestion, suggest_unit

# --- the category model: loaded once per process, reloaded when a retrain replaces the file ---------

_model_lock = threading.Lock()
_model: dict[str, Any] = {"key": None, "model": None}


def category_model() -> CategoryModel:
    """The model at `HUIYIN_CATEGORY_MODEL` (or the shipped one), loaded lazily; a retrained file
    (new mtime) is picked up on the next call without restarting the server."""
    path = model_path()
    key = (str(path), os.stat(path).st_mtime_ns)
    with _model_lock:
        if _model["key"] != key:
            _model["model"] = CategoryModel.load(path)
            _model["key"] = key
        return _model["model"]


# --- category and unit ---------------------------------------------------------------------------

# Words too common in the taxonomy to tell one leaf from another.
_GENERIC = {"管理", "问题", "建设", "其他", "服务", "工作", "相关", "政策", "保障"}
_NONWORD = re.compile(r"[\W_]+")
MSG_LEAF_GUESS = "细类按关键词匹配，请核对"


def _bigrams(s: str) -> set[str]:
    s = _NONWORD.sub("", s or "")
    return {s[i : i + 2] for i in range(len(s) - 1)} - _GENERIC


@dataclass
class CategoryHint:
    """One suggested first-level category, the leaf it most likely means and the competent unit."""

    label: str
    probability: float
    category: Category | None = None  # the first-level row
    leaf: Category | None = None  # a third-level row chosen by keywords (may be None)
    unit: Suggestion | None = None

    @property
    def percent(self) -> int:
        return round(self.probability * 100)


def _best_leaf(text: str, leaves: list[Category]) -> Category | None:
    words = _bigrams(text)
    best, best_score = None, 0.0
    for leaf in leaves:
        parts = leaf.full_name.split(" / ")
        score = len(_bigrams(parts[-1]) & words) + 0.5 * len(
            _bigrams(parts[1] if len(parts) > 2 else "") & words
        )
        if score > best_score:
            best, best_score = leaf, score
    return best if best_score >= 1 else None


def guess_category(case: Case) -> Category | None:
    """The subject the category model predicts for a case registered without one: the best third-level
    category under its top first-level class (as the intake hints offer it), else that class."""
    if case.category_id is not None or not (case.title or case.content):
        return None
    top = category_model().top_k(case.title, case.content, 1)
    if not top:
        return None
    label = top[0][0]
    leaves = list(Category.objects.filter(level=3, full_name__startswith=label + " / "))
    return (
        _best_leaf(f"{case.title} {case.content}", leaves)
        or Category.objects.filter(level=1, name=label).first()
    )


def category_hints(
    *,
    title: str,
    content: str,
    office: Unit,
    territory: Territory | None = None,
    accused_unit_id: int | None = None,
    k: int = 3,
) -> list[CategoryHint]:
    """The model's top-k first-level categories, mapped onto the Category tree, each with the unit the
    responsibility matrix derives for it (routing.suggest_unit on a transient, unsaved case)."""
    top = category_model().top_k(title, content, k)
    if not top:
        return []
    labels = [label for label, _ in top]
    rows = list(
        Category.objects.filter(
            Q(level=1, name__in=labels)
            | Q(level=3, full_name__regex=r"^(" + "|".join(re.escape(lab) for lab in labels) + r") / ")
        ).select_related("parent__parent")
    )
    text = f"{title} {content}"
    hints = []
    for label, p in top:
        first = next((c for c in rows if c.level == 1 and c.name == label), None)
        leaves = [c for c in rows if c.level == 3 and c.full_name.startswith(label + " / ")]
        leaf = _best_leaf(text, leaves)
        hint = CategoryHint(label=label, probability=p, category=first, leaf=leaf)
        chosen = leaf or first
        if chosen is not None:
            draft = Case(office=office, territory=territory, category=chosen, accused_unit_id=accused_unit_id)
            hint.unit = suggest_unit(draft)
        hints.append(hint)
    return hints


# --- territory ------------------------------------------------------------------------------------

_gazetteers: dict[tuple[str, int], Gazetteer] = {}


def gazetteer_for(root: Territory) -> Gazetteer:
    """The gazetteer of `root`'s subtree (names plus aliases); the trie is rebuilt only when a name,
    alias or node changes (one small query per call; a county has a few hundred nodes)."""
    rows = list(
        Territory.objects.filter(path__startswith=root.path)
        .order_by("pk")
        .values_list("pk", "name", "aliases", "parent_id")
    )
    key = (root.path, hash(tuple(rows)))
    gaz = _gazetteers.get(key)
    if gaz is None:
        ids = {pk for pk, *_ in rows}
        # The root's parent lies outside the subtree: leave it out so depth() counts within the tree.
        places = [
            Place(
                str(pk),
                name,
                [a.strip() for a in re.split(r"[|,，;；、]", aliases or "") if a.strip()],
                str(parent) if parent in ids else None,
            )
            for pk, name, aliases, parent in rows
        ]
        gaz = Gazetteer(places)
        if len(_gazetteers) > 32:
            _gazetteers.clear()
        _gazetteers[key] = gaz
    return gaz


@dataclass
class TerritoryHint:
    territory: Territory
    chain: list[str]  # names from the most specific upwards
    source: str  # "address" or "text"
    alias: str


def territory_hint(user: User, *, address: str, text: str) -> TerritoryHint | None:
    """The most specific place of the office's territory named in the address (else the text)."""
    unit = getattr(user, "unit", None)
    if unit is None:
        return None
    gaz = gazetteer_for(unit.territory)
    for source, value in (("address", address), ("text", text)):
        place = gaz.best(value or "")
        if place is None:
            continue
        chain = gaz.territory(value)
        alias = next((m.alias for m in gaz.extract(value) if m.place.code == place.code), place.name)
        territory = Territory.objects.filter(pk=int(place.code)).first()
        if territory is not None:
            return TerritoryHint(territory, [p.name for p in chain], source, alias)
    return None


# --- duplicates and repeats ----------------------------------------------------------------------

MAX_CANDIDATES = 200  # band-sharing cases scored exactly; the most band-sharing first
MSG_FINAL = (
    "{code} 已复核终结：信访人对复核意见不服，仍以同一事实和理由提出的，不再受理（《信访工作条例》第三十六条第三款）。"
    "建议以“{reason}”为由不予受理，并书面告知。"
)
MSG_FINAL_OTHER = (
    "{code} 已复核终结；本件为其他信访人所提，是否同一事实和理由，由工作人员判断（终结规则针对同一信访人）。"
)
REASON_LABELS = {
    "same_petitioner": "同一信访人（重复信访）",
    "other_petitioner": "其他信访人（多人反映，可能为集体或热点问题）",
    "unknown_petitioner": "内容相同或相近",
}


def candidate_scores(
    sig: np.ndarray, *, threshold: float = duplicates.DEFAULT_THRESHOLD, limit: int = MAX_CANDIDATES
) -> list[tuple[int, float]]:
    """(case id, estimated Jaccard) of indexed cases at or above `threshold`, best first.

    Two indexed queries: the band keys (composite primary key (key, case_id)) and the candidates'
    signatures (primary key). Not scoped to a user: callers filter with `visible_to`.
    """
    if is_blank(sig):
        return []
    keys = band_rows(sig)
    marks = ", ".join(["%s"] * len(keys))
    q = connection.ops.quote_name
    sql = (
        f"SELECT {q('case_id')} FROM {q(CaseBand._meta.db_table)} WHERE {q('key')} IN ({marks}) "
        f"GROUP BY {q('case_id')} ORDER BY COUNT(*) DESC, {q('case_id')} DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*keys, limit])
        ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        return []
    stored = list(CaseSignature.objects.filter(case_id__in=ids).values_list("case_id", "minhash"))
    if not stored:
        return []
    pks = [pk for pk, _ in stored]
    blobs = [blob for _, blob in stored]
    matrix = np.vstack([decode(b) for b in blobs])
    scores = (matrix == sig).mean(axis=1)
    out = [(int(pk), float(s)) for pk, s in zip(pks, scores.tolist(), strict=True) if s >= threshold]
    out.sort(key=lambda x: (-x[1], -x[0]))
    return out


@dataclass
class DuplicateHit:
    """A registered matter that looks like the same one, with why, how similar, and what to do."""

    case: Case
    score: float
    reason: str  # same_petitioner | other_petitioner | unknown_petitioner
    merge_into: Case | None = None  # the live case a new registration could be merged into
    final_case: Case | None = None  # the matter whose 复核 concluded (条例 §36¶3)
    advice: list[str] = field(default_factory=list)

    @property
    def reason_label(self) -> str:
        return REASON_LABELS[self.reason]

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    @property
    def suggests_not_accept(self) -> bool:
        return self.final_case is not None and self.reason != "other_petitioner"


@dataclass
class DuplicateReport:
    hits: list[DuplicateHit]

    @property
    def collective(self) -> bool:
        """Several matters from other petitioners: a collective or hot issue (多人反映同一事项)."""
        return sum(1 for h in self.hits if h.reason == "other_petitioner") >= 2

    @property
    def final_hit(self) -> DuplicateHit | None:
        return next((h for h in self.hits if h.suggests_not_accept), None)


def petitioner_ids_for(rows: list[dict[str, str]]) -> set[int]:
    """Registered petitioners matching the ID numbers or phones typed at intake (exact matches only)."""
    ids = {(r.get("id_number") or "").strip().upper() for r in rows} - {""}
    phones = {(r.get("phone") or "").strip() for r in rows} - {""}
    if not ids and not phones:
        return set()
    return set(
        Petitioner.objects.filter(Q(id_number__in=ids) | Q(phone__in=phones)).values_list("pk", flat=True)
    )


def _is_live(case: Case | None) -> bool:
    return case is not None and case.status in (*OPEN_STATUSES, Status.REPLIED) and not case.merged_into_id


def duplicate_report(
    user: User,
    *,
    title: str,
    content: str,
    petitioner_ids: set[int] | frozenset[int] = frozenset(),
    identity_given: bool | None = None,
    exclude_case_id: int | None = None,
    limit: int = 10,
) -> DuplicateReport:
    """Matters the user may see that look like this text, each with its reason, score and advice.

    `identity_given`: the petitioner's ID number or phone is known (at intake, typed in), so a match
    without any shared petitioner is another person's (default: whether `petitioner_ids` is non-empty).
    """
    if identity_given is None:
        identity_given = bool(petitioner_ids)
    sig = duplicates.signature(signature_text(title, content))
    scored = [(pk, s) for pk, s in candidate_scores(sig) if pk != exclude_case_id]
    if not scored:
        return DuplicateReport([])
    score = dict(scored)
    cases = {
        c.pk: c
        for c in visible_to(user)
        .filter(pk__in=list(score))
        .select_related("merged_into", "category", "territory", "handling_unit")
    }
    ranked = [cases[pk] for pk, _ in scored if pk in cases][:limit]
    parties: dict[int, set[int]] = {}
    for case_id, pid in CasePetitioner.objects.filter(case_id__in=[c.pk for c in ranked]).values_list(
        "case_id", "petitioner_id"
    ):
        parties.setdefault(case_id, set()).add(pid)
    roots = [c.merged_into_id for c in ranked if c.merged_into_id]
    visible_roots = (
        set(visible_to(user).filter(pk__in=roots).values_list("pk", flat=True)) if roots else set()
    )
    hits = []
    for case in ranked:
        theirs = parties.get(case.pk, set())
        if identity_given and theirs:
            reason = "same_petitioner" if theirs & set(petitioner_ids) else "other_petitioner"
        else:
            reason = "unknown_petitioner"
        hit = DuplicateHit(case=case, score=round(score[case.pk], 4), reason=reason)
        root = case.merged_into if case.merged_into_id in visible_roots else None
        if _is_live(case):
            hit.merge_into = case
        elif _is_live(root):
            hit.merge_into = root
        final = case if case.is_final else (root if root is not None and root.is_final else None)
        if final is not None:
            hit.final_case = final
            template = MSG_FINAL_OTHER if reason == "other_petitioner" else MSG_FINAL
            hit.advice.append(
                template.format(
                    code=final.code, reason=NotAcceptedReason.FINAL_AFTER_REREVIEW.label.split("，")[0]
                )
            )
        elif hit.merge_into is not None:
            hit.advice.append(
                f"同一事项正在办理：可合并到 {hit.merge_into.code}，不另行办理（条例第十九条第三款）。"
            )
        hits.append(hit)
    return DuplicateReport(hits)


# --- hot issues ----------------------------------------------------------------------------------

WINDOW_CHOICES = (7, 14, 30, 60)
SINCE_CHOICES = (30, 90, 180, 365)


def hot_period(query: Mapping[str, str]) -> tuple[int, int]:
    """The hot-issue page's window and span from its query (?window=&since=; an unknown value: the
    defaults, 30 and 90), read the same by the page and its export."""
    window, since = parse_id(query.get("window")), parse_id(query.get("since"))
    return (window if window in WINDOW_CHOICES else 30, since if since in SINCE_CHOICES else 90)


MAX_HOT_CASES = 3000  # the newest cases of the period; clustering 4k messages takes ~5 s
HOT_REQUEST_SECONDS = 600  # a refresh asked for longer ago than this (a dead worker?) is asked again


def _hot_scope(user: User, since_days: int) -> tuple[QuerySet[Case], str]:
    """The cases the hot issues of `user` are computed over, and their stamp (number, newest id,
    first day): a stored result with another stamp is out of date."""
    start = timeutil.now() - timedelta(days=since_days)
    scope = visible_to(user).filter(registered_at__gte=start, merged_into__isnull=True)
    stamp = scope.aggregate(n=Count("id"), top=Max("id"))
    return scope, f"{stamp['n']}:{stamp['top']}:{start.date()}"


def _case_places(rows: Sequence[Mapping[str, Any]], user: User) -> dict[str, str]:
    """Each case's place from the organisation's territory tree: its registered 问题属地, else the most
    specific place of the gazetteer its text names (never a phrase cut out of the message)."""
    root = getattr(getattr(user, "unit", None), "territory", None)
    gaz = gazetteer_for(root) if root is not None else None
    places = {}
    for r in rows:
        name = r["territory__name"] or ""
        if not name and gaz is not None:
            found = gaz.best(f"{r['title']}，{r['content']}")
            name = found.name if found is not None else ""
        places[r["code"]] = name
    return places


def compute_hot_issues(
    user: User, *, window_days: int = 30, since_days: int = 90, top: int = 10
) -> dict[str, Any]:
    """Clusters of similar cases the user may see, registered in the last `since_days`, ranked by the
    distinct petitioners in their busiest `window_days` window (hotspots.find_hotspots). Seconds of
    work on a busy office: the worker runs it (assist.tasks.refresh_hot_issues_task), the page reads
    the stored result (`hot_issues_stored`)."""
    from huiyin.assist.hotspots import Message, find_hotspots

    now = timeutil.now()
    scope, stamp = _hot_scope(user, since_days)
    rows = list(
        scope.order_by("-registered_at", "-id").values(
            "pk", "code", "title", "content", "registered_at", "territory__name"
        )[:MAX_HOT_CASES]
    )
    total = scope.count() if len(rows) == MAX_HOT_CASES else len(rows)
    people: dict[int, int] = {}
    for case_id, pid in (
        CasePetitioner.objects.filter(case_id__in=[r["pk"] for r in rows])
        .order_by("case_id", "petitioner_id")
        .values_list("case_id", "petitioner_id")
    ):
        people.setdefault(case_id, pid)
    messages = [
        Message(
            id=r["code"],
            user=str(people.get(r["pk"], "case:" + r["code"])),
            title=r["title"],
            text=r["content"],
            time=r["registered_at"],
        )
        for r in rows
    ]
    found = find_hotspots(messages, window_days=window_days, top=top) if len(messages) >= 2 else []
    case_places = _case_places(rows, user) if found else {}
    hotspots = []
    for h in found:
        places = Counter(case_places[c] for c in h.message_ids if case_places.get(c))
        hotspots.append(
            {
                "rank": h.rank,
                "label": h.label,
                "places": [name for name, _n in places.most_common(2)],
                "start": h.start,
                "end": h.end,
                "n_cases": h.n_messages,
                "n_petitioners": h.n_users,
                "window_cases": h.window_messages,
                "window_petitioners": h.window_users,
                "growth": h.growth,
                "heat": h.heat,
                "codes": list(reversed(h.message_ids))[:12],
            }
        )
    return {
        "hotspots": hotspots,
        "n_cases": len(rows),
        "truncated": total > len(rows),
        "computed_at": now,
        "window_days": window_days,
        "since_days": since_days,
        "stamp": stamp,
    }


@dataclass
class StoredHotIssues:
    """What the hot-issue page shows: the worker's last result (None before the first), when it was
    computed, and whether cases came in since (a refresh is then queued)."""

    result: dict[str, Any] | None
    computed_at: datetime | None
    stale: bool


def revive(result: dict[str, Any]) -> dict[str, Any]:
    """Dates come back from the JSON column as text; the template formats datetimes."""
    out = dict(result)
    out["computed_at"] = parse_datetime(str(result.get("computed_at") or "")) or None
    out["hotspots"] = [
        {**h, "start": parse_datetime(str(h["start"])), "end": parse_datetime(str(h["end"]))}
        for h in result.get("hotspots", [])
    ]
    return out


def hot_issues_stored(user: User, *, window_days: int = 30, since_days: int = 90) -> StoredHotIssues:
    """The stored hot issues of `user` for the period (one small count query, no clustering)."""
    snap = HotIssueSnapshot.objects.filter(user=user, window_days=window_days, since_days=since_days).first()
    if snap is None or snap.computed_at is None:
        return StoredHotIssues(None, None, True)
    _scope, stamp = _hot_scope(user, since_days)
    return StoredHotIssues(revive(snap.result), snap.computed_at, stamp != snap.stamp)


# --- reply quality -------------------------------------------------------------------------------

CLOCK_FOR_ACTION = {
    "reply": (ClockKind.HANDLING, OpinionStage.HANDLING),
    "review_reply": (ClockKind.REVIEW, OpinionStage.REVIEW),
    "rereview_reply": (ClockKind.REREVIEW, OpinionStage.REREVIEW),
}
MSG_EMPTY_DRAFT = "请先填写事实和理由、处理意见和依据，再检查答复质量。"
MSG_NO_ROUTE = "未告知复查/复核途径和期限（如对处理意见不服，可在收到之日起{days}内请求{next}）"


def no_route_message(case: Case, stage: OpinionStage) -> str:
    """The missing-route warning with the request window of the case's own profile (条例 §35, §36)."""
    rules = case_rules(case)
    if stage == OpinionStage.REVIEW:
        return MSG_NO_ROUTE.format(days=rules[RuleKey.REREVIEW_REQUEST_DAYS].text, next="复核")
    return MSG_NO_ROUTE.format(days=rules[RuleKey.REVIEW_REQUEST_DAYS].text, next="复查")


MSG_DEFAULT_ROUTE = "复查（复核）途径未填写：系统将按规定写入默认告知内容。"


@dataclass
class ReplyReview:
    """Warnings for a draft answer (never a block): what a careful reader of the reply would miss."""

    warnings: list[str]
    notes: list[str]
    checks: dict[str, bool | None]
    day_n: int | None = None  # days since the clock started (acceptance for a first answer)
    limit_days: int | None = None
    # the limit as the rules state it, each part in its own unit: "60日" / "60日，已延期5个工作日"
    limit_text: str = ""
    due_on: Any = None
    late_days: int = 0
    empty: bool = False


def reply_review(case: Case, user: User, *, action: str, draft: dict[str, str]) -> ReplyReview:
    """Run reply_quality.check_reply on the draft 意见书 against the case's request and its clock."""
    from huiyin.assist.reply_quality import _REVIEW as REVIEW_WORDS
    from huiyin.assist.reply_quality import check_reply
    from huiyin.workflow.services import default_review_route

    kind, stage = CLOCK_FOR_ACTION.get(action, CLOCK_FOR_ACTION["reply"])
    facts = (draft.get("facts_reasons") or "").strip()
    basis = (draft.get("legal_basis") or "").strip()
    route = (draft.get("review_route") or "").strip()
    decision = draft.get("decision") or ""
    notes = []
    if not facts and not basis:
        return ReplyReview(warnings=[], notes=[MSG_EMPTY_DRAFT], checks={}, empty=True)
    wants_route = stage != OpinionStage.REREVIEW  # 复核 is final: no further route to tell (条例 §36¶3)
    if wants_route and not route and user.unit is not None:
        route = default_review_route(case, stage, user.unit)
        notes.append(MSG_DEFAULT_ROUTE)
    label = Decision(decision).label if decision in Decision.values else ""
    # The route is judged on its own: a default route's wording must not count as the answer's basis.
    body = "\n".join(part for part in (facts, f"处理意见：{label}。" if label else "", basis) if part)
    request = (draft.get("request_summary") or case.request or case.content or "").strip()
    clock = Clock.objects.filter(case=case, kind=kind).order_by("-started_on", "-id").first()
    today = timeutil.today()
    received = replied = None
    deadline = case_rules(case)[RuleKey.HANDLING_DAYS].value
    if clock is not None:
        received = datetime.combine(clock.started_on, datetime.min.time())
        replied = datetime.combine(today, datetime.min.time())
        deadline = max(1, (clock.due_on - clock.started_on).days)
    check = check_reply(request, body, case.title, received, replied, deadline_days=deadline)
    route_told = bool(REVIEW_WORDS.search(route)) if wants_route else None
    # The decision is a chosen field of the 意见书: when chosen, it is stated.
    dropped = ("未告知复查", "未写明调查核实情况或处理意见") if label else ("未告知复查",)
    warnings = [w for w in check.warnings if not w.startswith(dropped)]
    if route_told is False:
        warnings.append(no_route_message(case, stage))
    review = ReplyReview(
        warnings=warnings,
        notes=notes,
        checks={
            "addresses_request": check.addresses_request,
            "states_decision": check.states_decision or bool(label),
            "states_basis": check.states_basis,
            "review_route": route_told,
            "substantive": check.substantive,
            "timely": check.timely,
        },
    )
    if clock is not None:
        review.day_n = (today - clock.started_on).days
        review.limit_days = clock.rule_days + clock.extended_days
        review.limit_text = days_text(clock.rule_days, clock.rule_unit)
        if clock.extended_days:
            # an extension counts in the unit of the type's extension rule (条例 §34), maybe 工作日
            unit = extension_rule(case, case_rules(case)).unit
            review.limit_text += f"，已延期{days_text(clock.extended_days, unit)}"
        review.due_on = clock.due_on
        review.late_days = max(0, (today - clock.due_on).days)
    return review


# --- the accused unit of an accusation (ADR 0005) --------------------------------------------------


def _unit_aliases(name: str, territory_names: list[str]) -> set[str]:
    """How a text may name a unit: its full name, without its place's name ("示范县自然资源局" →
    "自然资源局", "县自然资源局"), and "XX政府" for "XX人民政府"."""
    aliases = {name}
    for place in territory_names:
        if name.startswith(place) and len(name) - len(place) >= 3:
            rest = name[len(place) :]
            aliases.add(rest)
            if place[-1:] in "省市县区镇乡":
                aliases.add(place[-1] + rest)
    aliases |= {a.replace("人民政府", "政府") for a in aliases if "人民政府" in a}
    return {a for a in aliases if len(a) >= 3}


def accused_unit_hints(case: Case, *, limit: int = 3) -> list[Unit]:
    """Units of the organisation the accusation's text names (被反映人 first, then title and content),
    nearest to the registering office first. An aid for the office's own decision, never applied."""
    units = list(Unit.objects.filter(is_active=True).select_related("territory"))
    if not units:
        return []
    territory_names = sorted({u.territory.name for u in units}, key=len, reverse=True)
    by_alias: dict[str, list[Unit]] = {}
    places = []
    for u in units:
        aliases = _unit_aliases(u.name, territory_names)
        for a in aliases:
            by_alias.setdefault(a.lower(), []).append(u)
        places.append(Place(str(u.pk), u.name, sorted(aliases)))
    gaz = Gazetteer(places)
    home = case.office.territory.path
    found: list[Unit] = []
    for text in (case.accused_person, case.title, case.content):
        for match in gaz.extract(text or ""):
            candidates = by_alias.get(match.alias.lower(), [])
            # the same words name a unit in many places: the office's own territory (and nearest) first
            candidates = sorted(
                candidates,
                key=lambda u: (
                    not u.territory.path.startswith(home) and not home.startswith(u.territory.path),
                    -len(u.territory.path) if u.territory.path.startswith(home) else len(u.territory.path),
                ),
            )
            for unit in candidates[:1]:
                if unit not in found:
                    found.append(unit)
    return found[:limit]
