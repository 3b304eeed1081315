"""The data steps of 0008_resources_and_bookings, kept apart so they can be read and tested.

They use the historical models the migration passes in (`apps`), never the current ones.
"""

from collections import defaultdict

KINDS = (  # words in a location text -> the kind of resource it most likely names
    ("centrifuge", "centrifuge"),
    ("pool", "pool"),
    ("buoyancy", "pool"),
    ("simulator", "simulator"),
    ("laborator", "laboratory"),
    ("lab ", "laboratory"),
    ("chamber", "chamber"),
    ("survival", "survival_site"),
    ("site", "survival_site"),
    ("classroom", "classroom"),
    ("hall", "classroom"),
    ("room", "classroom"),
)
BATCH = 1000


def _kind_of(name: str) -> str:
    text = f"{name.lower()} "
    return next((kind for word, kind in KINDS if word in text), "other")


def _most_at_once(intervals) -> int:
    """The most of `intervals` (start, end) that overlap at one moment (half-open)."""
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    most = running = 0
    for _moment, step in events:  # an end sorts before a start at the same moment (-1 < 1)
        running += step
        most = max(most, running)
    return most


def _clashes(label: str, groups: dict, sessions: dict) -> list[str]:
    found = []
    for who, ids in groups.items():
        ordered = sorted(ids, key=lambda pk: sessions[pk].starts_at)
        for before, after in zip(ordered, ordered[1:], strict=False):
            if sessions[after].starts_at < sessions[before].ends_at:
                found.append(f"{label} {who}: sessions {before} and {after}")
    return found


def bookings_from_rosters_and_locations(apps, schema_editor):
    """Each expected trainee becomes a booking row with the session's times; each distinct
    location text becomes a resource (its kind guessed from its words, its capacity the most
    sessions it held at once, so nothing booked already breaks the new rule) booked by the
    sessions that named it. Stops, naming them, if scheduled sessions overlap for one trainer or
    trainee: the constraints could not be added over them."""
    db = schema_editor.connection.alias
    Session = apps.get_model("trainees", "TrainingSession")
    Roster = Session.trainees.through
    SessionTrainee = apps.get_model("trainees", "SessionTrainee")
    Resource = apps.get_model("trainees", "Resource")
    SessionResource = apps.get_model("trainees", "SessionResource")

    sessions = {
        s.pk: s
        for s in Session.objects.using(db)
        .only("pk", "starts_at", "ends_at", "status", "location", "trainer_id")
        .order_by("pk")  # a place's name as it was first typed
    }
    scheduled = {pk for pk, s in sessions.items() if s.status == "scheduled"}
    by_trainer, by_trainee = defaultdict(list), defaultdict(list)
    for pk in scheduled:
        by_trainer[sessions[pk].trainer_id].append(pk)
    roster = list(Roster.objects.using(db).values_list("trainingsession_id", "trainee_id"))
    for session_id, trainee_id in roster:
        if session_id in scheduled:
            by_trainee[trainee_id].append(session_id)
    clashes = _clashes("trainer", by_trainer, sessions) + _clashes("trainee", by_trainee, sessions)
    if clashes:
        raise RuntimeError(
            "Scheduled sessions overlap; move or cancel one of each pair, then migrate again:\n"
            + "\n".join(clashes[:50])
        )

    def booked(session):
        return {
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
            "scheduled": session.status == "scheduled",
        }

    SessionTrainee.objects.using(db).bulk_create(
        (
            SessionTrainee(session_id=session_id, trainee_id=trainee_id, **booked(sessions[session_id]))
            for session_id, trainee_id in roster
        ),
        batch_size=BATCH,
    )

    places = defaultdict(list)  # the location as typed, case and spaces aside -> sessions
    names = {}
    for session in sessions.values():
        text = " ".join(session.location.split())[:120]
        if text:
            places[text.lower()].append(session.pk)
            names.setdefault(text.lower(), text)
    bookings = []
    for key, ids in places.items():
        held = [(sessions[pk].starts_at, sessions[pk].ends_at) for pk in ids if pk in scheduled]
        capacity = max(1, _most_at_once(held))
        resource = Resource.objects.using(db).create(
            name=names[key], kind=_kind_of(names[key]), capacity=min(capacity, 50)
        )
        bookings += [
            SessionResource(
                session_id=pk, resource=resource, exclusive=capacity == 1, **booked(sessions[pk])
            )
            for pk in ids
        ]
    SessionResource.objects.using(db).bulk_create(bookings, batch_size=BATCH)


def history_of_rosters(apps, schema_editor):
    """The rosters' history moves with them: each historical roster row, to the new table, with
    the times and state of the session's historical record it belongs to."""
    db = schema_editor.connection.alias
    Old = apps.get_model("trainees", "HistoricalTrainingSession_trainees")
    New = apps.get_model("trainees", "HistoricalSessionTrainee")
    rows = Old.objects.using(db).select_related("history").iterator(chunk_size=BATCH)
    batch = []
    for row in rows:
        batch.append(
            New(
                history_id=row.history_id,
                id=row.id,
                session_id=row.trainingsession_id,
                trainee_id=row.trainee_id,
                starts_at=row.history.starts_at,
                ends_at=row.history.ends_at,
                scheduled=row.history.status == "scheduled",
            )
        )
        if len(batch) >= BATCH:
            New.objects.using(db).bulk_create(batch)
            batch = []
    New.objects.using(db).bulk_create(batch)
