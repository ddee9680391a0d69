from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "huiyin.outreach"
    verbose_name = "干部下基层与践诺"

    def ready(self) -> None:
        from huiyin.core import registry
        from huiyin.outreach import events, exports, links, metrics, services, transitions

        N = registry.NavEntry
        registry.declare(
            registry.Module(
                name="outreach",
                demo=(30, "huiyin.outreach.demo.build_outreach"),
                events=events.EVENTS,
                case_links=links.case_links,
                metrics=metrics.METRICS,
                exports=exports.EXPORTS,
                capabilities={
                    "outreach_manage_pairings": services.MANAGE_PAIRINGS,
                    "outreach_publish_commitment": transitions.PUBLISH,
                },
                navigation=(
                    N("outreach", "联系点", "outreach_home", "bi-geo-alt", 70),
                    N("diary", "民情日记", "outreach_diary", "bi-journal-text", 71),
                    N("coverage", "走访覆盖", "outreach_coverage", "bi-clipboard-check", 72),
                    N("meetings", "恳谈会", "outreach_meetings", "bi-people", 73),
                    N("commitments", "践诺", "outreach_commitments", "bi-megaphone", 74),
                    N("projects", "为民办实事", "outreach_projects", "bi-hammer", 75),
                    N("consultations", "征求意见", "outreach_consultations", "bi-chat-square-text", 76),
                ),
            )
        )
