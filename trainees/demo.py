"""The demo programme: people now; the domain records join them as the model grows.

Everything here is idempotent: running it again updates the same rows rather than adding more.
"""

from dataclasses import dataclass

from django.db import transaction

from accounts.models import Role, User
from accounts.services import user_set_roles

DEMO_PASSWORD = "tiangong-demo"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    display_name: str
    native_name: str
    role: Role
    language: str
    time_zone: str
    description: str
    superuser: bool = False


DEMO_PEOPLE = [
    DemoPerson(
        "admin",
        "Chen Jing",
        "陈静",
        Role.PROGRAMME_ADMIN,
        "en",
        "Asia/Shanghai",
        "programme admin: curriculum, cohorts and people",
    ),
    DemoPerson(
        "trainer",
        "Li Hao",
        "李浩",
        Role.TRAINER,
        "en",
        "Asia/Shanghai",
        "trainer of the payload specialist cohort",
    ),
    DemoPerson(
        "trainer2",
        "Zhou Min",
        "周敏",
        Role.TRAINER,
        "zh-hans",
        "Asia/Shanghai",
        "trainer of the second cohort (reads Chinese)",
    ),
    DemoPerson(
        "trainee",
        "Ayesha Khan",
        "عائشہ خان",
        Role.TRAINEE,
        "ur",
        "Asia/Shanghai",
        "Pakistani payload specialist (reads Urdu)",
    ),
    DemoPerson(
        "trainee2",
        "Zhao Lei",
        "赵磊",
        Role.TRAINEE,
        "zh-hans",
        "Asia/Shanghai",
        "Chinese astronaut (reads Chinese)",
    ),
    DemoPerson(
        "medic",
        "Sun Li",
        "孙丽",
        Role.MEDICAL_OFFICER,
        "en",
        "Asia/Shanghai",
        "medical officer: holds and certificates",
    ),
    DemoPerson(
        "operator",
        "Site Operator",
        "",
        Role.PROGRAMME_ADMIN,
        "en",
        "UTC",
        "superuser for the Django admin at /admin/",
        superuser=True,
    ),
]


@transaction.atomic
def demo_people_ensure() -> list[User]:
    """Create or refresh every demo person, with their role and the demo password."""
    people = []
    for person in DEMO_PEOPLE:
        user, _ = User.objects.update_or_create(
            username=person.username,
            defaults={
                "display_name": person.display_name,
                "native_name": person.native_name,
                "email": f"{person.username}@tracker.invalid",
                "preferred_language": person.language,
                "time_zone": person.time_zone,
                "is_active": True,
                "is_staff": person.superuser,
                "is_superuser": person.superuser,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user_set_roles(user=user, roles=[person.role])
        people.append(user)
    return people
