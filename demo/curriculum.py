"""The demo programme's curriculum: sixteen modules in the four categories, from DOMAIN.md.

Plain data, read by `demo.plan` and `demo.seed`. Intervals follow DOMAIN.md's starting
assumptions: fitness every 12 months, emergency drills every 90 days, survival and water egress
every 24 months.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoAssessment:
    code: str
    title: str
    kind: str
    max_score: int | None = None
    pass_score: int | None = None
    max_attempts: int = 3
    minimum_grades: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoModule:
    code: str
    category: str
    title: str
    hours: int
    description: str
    competencies: list[tuple[str, str, str]]
    assessment: DemoAssessment | None = None
    prerequisites: tuple[str, ...] = ()
    plan_weeks: tuple[int, int] = (1, 2)


@dataclass(frozen=True)
class DemoQualification:
    code: str
    title: str
    module: str
    by_assessment: bool
    validity_days: int | None
    grace_days: int = 0
    renewed_by_drill: bool = False


MODULES = [
    DemoModule(
        "PC-101",
        "physical",
        "Strength and aerobic conditioning",
        24,
        "Supervised strength, endurance and aerobic work towards the flight fitness standard.",
        [
            (
                "PC-101-1",
                "Aerobic capacity",
                "Sustains the prescribed heart-rate zone\n"
                "Completes the interval protocol without stopping",
            ),
            (
                "PC-101-2",
                "Strength and form",
                "Lifts with correct form under load\nReports pain or strain at once",
            ),
        ],
        DemoAssessment("PC-101-FT", "Annual fitness test", "fitness_test", 100, 70),
        plan_weeks=(1, 4),
    ),
    DemoModule(
        "PC-102",
        "physical",
        "Vestibular training",
        12,
        "Rotating chair and swing sessions that build tolerance to motion sickness.",
        [
            (
                "PC-102-1",
                "Motion tolerance",
                "Completes the rotation profile\nReports symptoms on the agreed scale",
            ),
        ],
        plan_weeks=(4, 6),
    ),
    DemoModule(
        "PC-103",
        "physical",
        "Centrifuge tolerance",
        8,
        "Launch and re-entry acceleration profiles, 7-8 g for 40-50 s.",
        [
            (
                "PC-103-1",
                "Anti-g straining",
                "Performs the straining manoeuvre on cue\nKeeps situational awareness at peak g",
            ),
            ("PC-103-2", "Communication under load", "Reads back instrument values at 8 g"),
        ],
        DemoAssessment(
            "PC-103-PC",
            "Centrifuge practical check",
            "practical_check",
            minimum_grades={"PC-103-1": 3, "PC-103-2": 3},
        ),
        prerequisites=("PC-101",),
        plan_weeks=(7, 8),
    ),
    DemoModule(
        "PC-104",
        "physical",
        "Swim and water skills",
        8,
        "Swim test: 3 x 25 m, then 3 x 25 m in flight suit, then tread water for 10 minutes.",
        [
            (
                "PC-104-1",
                "Swimming in flight suit",
                "Completes 3 x 25 m in suit\nTreads water for 10 minutes",
            ),
        ],
        DemoAssessment("PC-104-PC", "Swim test", "practical_check", 100, 60),
        plan_weeks=(9, 10),
    ),
    DemoModule(
        "SO-201",
        "spacecraft",
        "Tiangong station systems",
        24,
        "Power, thermal control, life support, communications and motion control of the station.",
        [
            (
                "SO-201-1",
                "Systems knowledge",
                "Explains each system's normal configuration\nTraces a failure to its system",
            ),
            ("SO-201-2", "Procedure use", "Finds and follows the right procedure"),
        ],
        DemoAssessment("SO-201-WE", "Station systems written exam", "written_exam", 100, 75),
        plan_weeks=(1, 5),
    ),
    DemoModule(
        "SO-202",
        "spacecraft",
        "Shenzhou spacecraft simulator",
        16,
        "Nominal ascent, orbit and descent in the Shenzhou simulator.",
        [
            (
                "SO-202-1",
                "Checklist discipline",
                "Runs the checklist in order\nCalls out every deviation",
            ),
            (
                "SO-202-2",
                "Crew communication",
                "Uses standard phraseology\nConfirms commands by read-back",
            ),
        ],
        DemoAssessment(
            "SO-202-SE", "Shenzhou simulator evaluation", "simulator_evaluation", 100, 75
        ),
        prerequisites=("SO-201",),
        plan_weeks=(6, 10),
    ),
    DemoModule(
        "SO-203",
        "spacecraft",
        "Robotic arm operations",
        12,
        "Capture, berthing and payload transfer with the station's robotic arm.",
        [
            (
                "SO-203-1",
                "Arm control",
                "Moves the arm within the approach corridor\nStops on any loss of camera view",
            ),
        ],
        DemoAssessment(
            "SO-203-SE", "Robotic arm simulator evaluation", "simulator_evaluation", 100, 75
        ),
        prerequisites=("SO-201",),
        plan_weeks=(11, 14),
    ),
    DemoModule(
        "SO-204",
        "spacecraft",
        "Rendezvous, docking and integrated mission simulation",
        16,
        "Manual and automatic docking, then the integrated mission simulation before the board.",
        [
            (
                "SO-204-1",
                "Manual docking",
                "Holds the approach within limits\nAborts when the criteria are met",
            ),
            (
                "SO-204-2",
                "Crew resource management",
                "Shares the workload\nKeeps the crew informed",
            ),
        ],
        DemoAssessment(
            "SO-204-QB",
            "Integrated mission qualification board",
            "qualification_board",
            max_attempts=2,
            minimum_grades={"SO-204-1": 4, "SO-204-2": 3},
        ),
        prerequisites=("SO-202", "SO-203"),
        plan_weeks=(17, 22),
    ),
    DemoModule(
        "ER-301",
        "emergency",
        "Fire and toxic atmosphere drill",
        4,
        "Fire and ammonia leak response: masks, isolation, safe haven.",
        [
            (
                "ER-301-1",
                "Immediate actions",
                "Dons the mask within the time limit\nIsolates the affected module",
            ),
        ],
        DemoAssessment(
            "ER-301-PC",
            "Fire and toxic atmosphere check",
            "practical_check",
            minimum_grades={"ER-301-1": 3},
        ),
        plan_weeks=(2, 3),
    ),
    DemoModule(
        "ER-302",
        "emergency",
        "Rapid depressurisation drill",
        4,
        "Leak detection, leak isolation and the decision to evacuate to the spacecraft.",
        [
            (
                "ER-302-1",
                "Leak response",
                "Computes the time of reserve\nCloses hatches in the right order",
            ),
        ],
        DemoAssessment(
            "ER-302-PC", "Depressurisation check", "practical_check", minimum_grades={"ER-302-1": 3}
        ),
        plan_weeks=(5, 6),
    ),
    DemoModule(
        "ER-303",
        "emergency",
        "Water egress after splash-down",
        8,
        "Egress from the descent module at sea and survival until recovery.",
        [
            ("ER-303-1", "Egress", "Exits the module in the suit\nDeploys the survival equipment"),
        ],
        DemoAssessment("ER-303-PC", "Water egress check", "practical_check", 100, 70),
        prerequisites=("PC-104",),
        plan_weeks=(13, 15),
    ),
    DemoModule(
        "ER-304",
        "emergency",
        "Winter and desert survival",
        24,
        "Three days at -20 C and a desert exercise after an off-nominal landing.",
        [
            (
                "ER-304-1",
                "Shelter and signalling",
                "Builds a shelter before dark\nSignals the recovery aircraft",
            ),
        ],
        prerequisites=("ER-303",),
        plan_weeks=(20, 24),
    ),
    DemoModule(
        "SR-401",
        "science",
        "Payload experiment operations",
        16,
        "Running the payload specialist's experiments on the station's racks.",
        [
            (
                "SR-401-1",
                "Experiment procedures",
                "Follows the experiment protocol\nRecords deviations in the log",
            ),
            ("SR-401-2", "Ground coordination", "Reports status to the payload centre"),
        ],
        DemoAssessment("SR-401-PC", "Payload operations check", "practical_check", 100, 70),
        plan_weeks=(3, 6),
    ),
    DemoModule(
        "SR-402",
        "science",
        "Sample handling and contamination control",
        8,
        "Collecting, stowing and preserving samples without contaminating them.",
        [
            (
                "SR-402-1",
                "Sample handling",
                "Keeps the chain of custody\nUses the glovebox correctly",
            ),
        ],
        DemoAssessment("SR-402-PC", "Sample handling check", "practical_check", 100, 70),
        plan_weeks=(6, 8),
    ),
    DemoModule(
        "SR-403",
        "science",
        "Microgravity life-science protocols",
        12,
        "Life-science experiment protocols, from cell cultures to crew physiology.",
        [
            ("SR-403-1", "Protocol execution", "Times each step to the protocol"),
        ],
        DemoAssessment("SR-403-WE", "Life-science written exam", "written_exam", 100, 70),
        prerequisites=("SR-402",),
        plan_weeks=(9, 12),
    ),
    DemoModule(
        "SR-404",
        "science",
        "Materials science and data logging",
        8,
        "Materials-science furnace runs and the data logging the science teams rely on.",
        [
            ("SR-404-1", "Data logging", "Logs every run completely\nFlags data that looks wrong"),
        ],
        DemoAssessment("SR-404-PC", "Materials and data check", "practical_check", 100, 70),
        plan_weeks=(15, 18),
    ),
]

QUALIFICATIONS = [
    DemoQualification("Q-FIT", "Flight fitness standard", "PC-101", True, 365, 30),
    DemoQualification("Q-CEN", "Centrifuge clearance", "PC-103", True, 730, 30),
    DemoQualification("Q-WATER", "Water survival", "ER-303", True, 730, 30),
    DemoQualification("Q-SURV", "Land survival", "ER-304", False, 730, 30),
    DemoQualification(
        "Q-FIRE",
        "Fire and toxic atmosphere currency",
        "ER-301",
        True,
        90,
        14,
        renewed_by_drill=True,
    ),
    DemoQualification(
        "Q-DEPR", "Depressurisation currency", "ER-302", True, 90, 14, renewed_by_drill=True
    ),
    DemoQualification("Q-SIM", "Shenzhou crew qualification", "SO-204", True, None),
]
