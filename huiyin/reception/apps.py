from django.apps import AppConfig


class ReceptionConfig(AppConfig):
    name = "huiyin.reception"
    verbose_name = "领导接待日"

    def ready(self) -> None:
        from huiyin.core import registry
        from huiyin.org.choices import Role
        from huiyin.reception import events, permissions

        registry.declare(
            registry.Module(
                name="reception",
                demo=(10, "huiyin.reception.demo.build"),
                events=events._all(),
                # the eve-of-session reminder to those booked (idempotent per booking)
                periodic_tasks=((50, "huiyin.reception.tasks.reception_reminders_task"),),
                capabilities={
                    "reception_book": permissions.BOOK,
                    "reception_record": permissions.RECORD,
                    "reception_manage": permissions.MANAGE,
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
                ),
            )
        )
