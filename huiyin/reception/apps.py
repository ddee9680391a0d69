from django.apps import AppConfig


class ReceptionConfig(AppConfig):
    name = "huiyin.reception"
    verbose_name = "领导接待日"

    def ready(self) -> None:
        from huiyin.core import registry
        from huiyin.org.choices import Role
        from huiyin.reception import events, exports, instructions, links, metrics, permissions

        registry.declare(
            registry.Module(
                name="reception",
                demo=(10, "huiyin.reception.demo.build"),
                events=events._all(),
                metrics=metrics.METRICS,
                exports=exports.EXPORTS,
                case_links=links.case_links,
                # overdue 领导批示, tracked like a 督办 order (issue 12 item 7)
                supervision_candidates=instructions.supervision_candidates,
                # the eve-of-session reminder to those booked (idempotent per booking)
                periodic_tasks=((50, "huiyin.reception.tasks.reception_reminders_task"),),
                capabilities={
                    "reception_book": permissions.BOOK,
                    "reception_record": permissions.RECORD,
                    "reception_manage": permissions.MANAGE,
                    "reception_visit": permissions.VISIT,
                    "reception_hall_send": permissions.SEND,
                    "reception_window": permissions.WINDOW,
                },
                navigation=(
                    registry.NavEntry(
                        "reception",
                        "领导接待日",
                        "reception_home",
                        "bi-calendar-week",
                        55,
                        roles=permissions.BOOK
                        | permissions.RECORD
                        | frozenset({Role.LEADER, Role.SUPERVISOR}),
                    ),
                    # 一站式接待: the hall's clerks and the departments' officers at their windows
                    registry.NavEntry(
                        "reception_hall",
                        "一站式接待",
                        "reception_hall",
                        "bi-door-open",
                        56,
                        roles=permissions.SEND | permissions.WINDOW | permissions.MANAGE,
                    ),
                ),
            )
        )
