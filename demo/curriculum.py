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

# The curriculum in the crew's other languages: each text by the code of what it belongs to,
# (title, description) for a module, (title, behaviours) for a competency, (title,) for an
# assessment or a qualification. The demo writes them as the translators' (curriculum/texts.py).
PROGRAMME_TEXTS = {
    "zh-hans": (
        "天宫乘组训练",
        "为中国航天员和合作机构的载荷专家执行天宫空间站飞行任务而开展的训练。",
    ),
    "ur": (
        "تیانگونگ عملے کی تربیت",
        "چینی خلابازوں اور شراکت دار اداروں کے پے لوڈ ماہرین کی تیانگونگ خلائی اسٹیشن کی پروازوں"
        " کے لیے تربیت۔",
    ),
}
COHORT_TEXTS = {
    "Payload specialist cohort 2026": {
        "zh-hans": "2026 年载荷专家班",
        "ur": "پے لوڈ ماہرین کا گروپ 2026",
    },
    "Shenzhou crew cohort 2025": {
        "zh-hans": "2025 年神舟乘组班",
        "ur": "شین ژو عملے کا گروپ 2025",
    },
}
TEXTS = {
    "zh-hans": {
        "PC-101": (
            "力量与有氧体能训练",
            "在监督下进行力量、耐力和有氧训练，达到飞行体能标准。",
        ),
        "PC-101-1": ("有氧能力", "保持在规定的心率区间\n不间断地完成间歇训练方案"),
        "PC-101-2": ("力量与动作规范", "负重时动作规范\n出现疼痛或拉伤立即报告"),
        "PC-101-FT": ("年度体能测试",),
        "PC-102": ("前庭功能训练", "通过转椅和秋千训练，提高对运动病的耐受力。"),
        "PC-102-1": ("运动耐受力", "完成旋转训练方案\n按约定的等级报告症状"),
        "PC-103": ("离心机耐力训练", "模拟发射和再入的加速度曲线，7-8 g 持续 40-50 秒。"),
        "PC-103-1": ("抗荷动作", "按口令完成抗荷动作\n在峰值过载时保持情境意识"),
        "PC-103-2": ("负荷下的通信", "在 8 g 下复诵仪表读数"),
        "PC-103-PC": ("离心机实操考核",),
        "PC-104": (
            "游泳与水上技能",
            "游泳测试：3 x 25 米，再穿飞行服 3 x 25 米，然后踩水 10 分钟。",
        ),
        "PC-104-1": ("穿飞行服游泳", "穿服装完成 3 x 25 米\n踩水 10 分钟"),
        "PC-104-PC": ("游泳测试",),
        "SO-201": ("天宫空间站系统", "空间站的电源、热控、生命保障、通信和运动控制系统。"),
        "SO-201-1": ("系统知识", "讲解每个系统的正常构型\n把故障追溯到所属系统"),
        "SO-201-2": ("程序使用", "找到并执行正确的程序"),
        "SO-201-WE": ("空间站系统笔试",),
        "SO-202": ("神舟飞船模拟器", "在神舟模拟器中完成正常的上升、在轨和返回飞行。"),
        "SO-202-1": ("检查单纪律", "按顺序执行检查单\n报告每一项偏差"),
        "SO-202-2": ("乘组通信", "使用标准用语\n通过复诵确认指令"),
        "SO-202-SE": ("神舟模拟器评估",),
        "SO-203": ("机械臂操作", "使用空间站机械臂进行捕获、停泊和载荷转移。"),
        "SO-203-1": ("机械臂控制", "在接近走廊内移动机械臂\n一旦失去相机画面立即停止"),
        "SO-203-SE": ("机械臂模拟器评估",),
        "SO-204": (
            "交会对接与综合任务模拟",
            "手动和自动对接，然后在评审委员会之前进行综合任务模拟。",
        ),
        "SO-204-1": ("手动对接", "将接近过程保持在限值内\n满足条件时中止对接"),
        "SO-204-2": ("乘组资源管理", "分担工作负荷\n让乘组随时了解情况"),
        "SO-204-QB": ("综合任务资格评审",),
        "ER-301": ("火灾与有毒大气演练", "火灾和氨泄漏处置：面罩、隔离、安全区。"),
        "ER-301-1": ("紧急处置动作", "在规定时间内戴好面罩\n隔离受影响的舱段"),
        "ER-301-PC": ("火灾与有毒大气考核",),
        "ER-302": ("快速失压演练", "检漏、堵漏，以及撤离到飞船的决策。"),
        "ER-302-1": ("泄漏处置", "计算剩余时间\n按正确顺序关闭舱门"),
        "ER-302-PC": ("失压考核",),
        "ER-303": ("溅落后水上出舱", "在海上从返回舱出舱并坚持生存直到被救援。"),
        "ER-303-1": ("出舱", "穿着服装离开返回舱\n展开救生装备"),
        "ER-303-PC": ("水上出舱考核",),
        "ER-304": ("冬季与沙漠生存", "非正常着陆后在零下 20 度生存三天，以及沙漠生存演练。"),
        "ER-304-1": ("庇护与信号", "天黑前搭好庇护所\n向搜救飞机发出信号"),
        "SR-401": ("载荷实验操作", "在空间站实验机柜上开展载荷专家的实验。"),
        "SR-401-1": ("实验程序", "按照实验规程操作\n在日志中记录偏差"),
        "SR-401-2": ("天地协同", "向载荷中心报告状态"),
        "SR-401-PC": ("载荷操作考核",),
        "SR-402": ("样品处理与污染控制", "采集、存放和保存样品，避免污染。"),
        "SR-402-1": ("样品处理", "保持样品交接链完整\n正确使用手套箱"),
        "SR-402-PC": ("样品处理考核",),
        "SR-403": ("微重力生命科学规程", "从细胞培养到乘组生理的生命科学实验规程。"),
        "SR-403-1": ("规程执行", "按规程控制每一步的时间"),
        "SR-403-WE": ("生命科学笔试",),
        "SR-404": ("材料科学与数据记录", "材料科学炉的运行，以及科学团队依赖的数据记录。"),
        "SR-404-1": ("数据记录", "完整记录每一次运行\n标出看起来有误的数据"),
        "SR-404-PC": ("材料与数据考核",),
        "Q-FIT": ("飞行体能标准",),
        "Q-CEN": ("离心机资质",),
        "Q-WATER": ("水上生存",),
        "Q-SURV": ("陆上生存",),
        "Q-FIRE": ("火灾与有毒大气处置有效期",),
        "Q-DEPR": ("失压处置有效期",),
        "Q-SIM": ("神舟乘组资格",),
    },
    "ur": {
        "PC-101": (
            "طاقت اور ایروبک کنڈیشننگ",
            "پرواز کے فٹنس معیار تک پہنچنے کے لیے نگرانی میں طاقت، برداشت اور ایروبک ورزش۔",
        ),
        "PC-101-1": (
            "ایروبک صلاحیت",
            "دل کی دھڑکن کو مقررہ حد میں رکھتا ہے\nوقفوں والی ورزش بغیر رکے مکمل کرتا ہے",
        ),
        "PC-101-2": (
            "طاقت اور درست انداز",
            "وزن کے ساتھ درست انداز میں اٹھاتا ہے\nدرد یا کھنچاؤ فوراً بتاتا ہے",
        ),
        "PC-101-FT": ("سالانہ فٹنس ٹیسٹ",),
        "PC-102": (
            "ویسٹیبولر تربیت",
            "گھومنے والی کرسی اور جھولے کی مشقیں جو حرکت سے متلی کی برداشت بڑھاتی ہیں۔",
        ),
        "PC-102-1": (
            "حرکت کی برداشت",
            "گردش کا پورا مرحلہ مکمل کرتا ہے\nعلامات طے شدہ پیمانے پر بتاتا ہے",
        ),
        "PC-103": (
            "سینٹری فیوج کی برداشت",
            "اڑان اور واپسی کے اسراع کے مراحل، 40 سے 50 سیکنڈ تک 7 سے 8 g۔",
        ),
        "PC-103-1": (
            "اینٹی جی زور",
            "اشارے پر زور لگانے کی مشق کرتا ہے\nانتہائی g پر بھی صورتِ حال سے باخبر رہتا ہے",
        ),
        "PC-103-2": ("دباؤ میں رابطہ", "8 g پر آلات کی قدریں دہرا کر پڑھتا ہے"),
        "PC-103-PC": ("سینٹری فیوج کا عملی امتحان",),
        "PC-104": (
            "تیراکی اور پانی کی مہارتیں",
            "تیراکی کا ٹیسٹ: 3 x 25 میٹر، پھر پرواز کے لباس میں 3 x 25 میٹر، پھر 10 منٹ تک"
            " پانی میں ٹھہرنا۔",
        ),
        "PC-104-1": (
            "پرواز کے لباس میں تیراکی",
            "لباس میں 3 x 25 میٹر مکمل کرتا ہے\n10 منٹ تک پانی میں ٹھہرتا ہے",
        ),
        "PC-104-PC": ("تیراکی کا ٹیسٹ",),
        "SO-201": (
            "تیانگونگ اسٹیشن کے نظام",
            "اسٹیشن کی بجلی، حرارتی کنٹرول، نظامِ حیات، مواصلات اور حرکت کا کنٹرول۔",
        ),
        "SO-201-1": (
            "نظاموں کا علم",
            "ہر نظام کی معمول کی ترتیب سمجھاتا ہے\nخرابی کو اس کے نظام تک پہنچاتا ہے",
        ),
        "SO-201-2": ("طریقۂ کار کا استعمال", "درست طریقۂ کار ڈھونڈ کر اس پر عمل کرتا ہے"),
        "SO-201-WE": ("اسٹیشن کے نظاموں کا تحریری امتحان",),
        "SO-202": (
            "شین ژو خلائی جہاز کا سمیولیٹر",
            "شین ژو سمیولیٹر میں معمول کی اڑان، مدار اور واپسی۔",
        ),
        "SO-202-1": (
            "چیک لسٹ کی پابندی",
            "چیک لسٹ ترتیب سے چلاتا ہے\nہر انحراف بلند آواز سے بتاتا ہے",
        ),
        "SO-202-2": (
            "عملے کا باہمی رابطہ",
            "معیاری اصطلاحات استعمال کرتا ہے\nاحکامات دہرا کر ان کی تصدیق کرتا ہے",
        ),
        "SO-202-SE": ("شین ژو سمیولیٹر کی جانچ",),
        "SO-203": (
            "روبوٹک بازو کا استعمال",
            "اسٹیشن کے روبوٹک بازو سے پکڑنا، جوڑنا اور پے لوڈ منتقل کرنا۔",
        ),
        "SO-203-1": (
            "بازو پر قابو",
            "بازو کو قریب آنے کی راہداری کے اندر چلاتا ہے\nکیمرے کا منظر غائب ہوتے ہی رک جاتا ہے",
        ),
        "SO-203-SE": ("روبوٹک بازو سمیولیٹر کی جانچ",),
        "SO-204": (
            "ملاپ، ڈاکنگ اور مربوط مشن سمیولیشن",
            "دستی اور خودکار ڈاکنگ، پھر بورڈ سے پہلے مربوط مشن سمیولیشن۔",
        ),
        "SO-204-1": (
            "دستی ڈاکنگ",
            "قریب آنے کا عمل حدود کے اندر رکھتا ہے\nشرائط پوری ہونے پر ڈاکنگ روک دیتا ہے",
        ),
        "SO-204-2": (
            "عملے کے وسائل کا انتظام",
            "کام کا بوجھ بانٹتا ہے\nعملے کو باخبر رکھتا ہے",
        ),
        "SO-204-QB": ("مربوط مشن کا اہلیتی بورڈ",),
        "ER-301": (
            "آگ اور زہریلی فضا کی مشق",
            "آگ اور امونیا کے اخراج سے نمٹنا: ماسک، علیحدگی، محفوظ پناہ گاہ۔",
        ),
        "ER-301-1": (
            "فوری اقدامات",
            "مقررہ وقت میں ماسک پہن لیتا ہے\nمتاثرہ ماڈیول کو الگ کر دیتا ہے",
        ),
        "ER-301-PC": ("آگ اور زہریلی فضا کا امتحان",),
        "ER-302": (
            "اچانک دباؤ کم ہونے کی مشق",
            "رساؤ کا پتہ لگانا، اسے الگ کرنا اور خلائی جہاز میں منتقل ہونے کا فیصلہ۔",
        ),
        "ER-302-1": (
            "رساؤ سے نمٹنا",
            "باقی ماندہ وقت کا حساب لگاتا ہے\nدروازے درست ترتیب سے بند کرتا ہے",
        ),
        "ER-302-PC": ("دباؤ کم ہونے کا امتحان",),
        "ER-303": (
            "سمندر میں اترنے کے بعد پانی سے نکلنا",
            "سمندر میں واپسی کے ماڈیول سے نکلنا اور امداد پہنچنے تک زندہ رہنا۔",
        ),
        "ER-303-1": (
            "باہر نکلنا",
            "لباس پہنے ماڈیول سے نکلتا ہے\nبقا کا سامان کھولتا ہے",
        ),
        "ER-303-PC": ("پانی سے نکلنے کا امتحان",),
        "ER-304": (
            "سردی اور صحرا میں بقا",
            "غیر معمولی لینڈنگ کے بعد منفی 20 درجے پر تین دن اور صحرا کی مشق۔",
        ),
        "ER-304-1": (
            "پناہ اور اشارے",
            "اندھیرا ہونے سے پہلے پناہ گاہ بناتا ہے\nامدادی طیارے کو اشارہ دیتا ہے",
        ),
        "SR-401": (
            "پے لوڈ تجربات کا انعقاد",
            "اسٹیشن کے ریکس پر پے لوڈ ماہر کے تجربات چلانا۔",
        ),
        "SR-401-1": (
            "تجرباتی طریقۂ کار",
            "تجربے کے ضابطے پر عمل کرتا ہے\nانحراف لاگ میں درج کرتا ہے",
        ),
        "SR-401-2": ("زمینی رابطہ", "پے لوڈ مرکز کو صورتِ حال سے آگاہ کرتا ہے"),
        "SR-401-PC": ("پے لوڈ کارروائیوں کا امتحان",),
        "SR-402": (
            "نمونوں کی دیکھ بھال اور آلودگی پر قابو",
            "نمونے جمع کرنا، رکھنا اور آلودہ کیے بغیر محفوظ کرنا۔",
        ),
        "SR-402-1": (
            "نمونوں کی دیکھ بھال",
            "حوالگی کا سلسلہ برقرار رکھتا ہے\nگلوو باکس درست طریقے سے استعمال کرتا ہے",
        ),
        "SR-402-PC": ("نمونوں کی دیکھ بھال کا امتحان",),
        "SR-403": (
            "مائیکرو گریویٹی میں حیاتیاتی سائنس کے ضابطے",
            "خلیوں کی افزائش سے عملے کی فزیالوجی تک حیاتیاتی تجربات کے ضابطے۔",
        ),
        "SR-403-1": ("ضابطے پر عمل", "ہر مرحلے کا وقت ضابطے کے مطابق رکھتا ہے"),
        "SR-403-WE": ("حیاتیاتی سائنس کا تحریری امتحان",),
        "SR-404": (
            "مادی سائنس اور ڈیٹا کا اندراج",
            "مادی سائنس کی بھٹی کے تجربات اور وہ ڈیٹا اندراج جس پر سائنسی ٹیمیں انحصار کرتی ہیں۔",
        ),
        "SR-404-1": (
            "ڈیٹا کا اندراج",
            "ہر تجربہ مکمل درج کرتا ہے\nغلط لگنے والے ڈیٹا کی نشاندہی کرتا ہے",
        ),
        "SR-404-PC": ("مادی سائنس اور ڈیٹا کا امتحان",),
        "Q-FIT": ("پرواز کا فٹنس معیار",),
        "Q-CEN": ("سینٹری فیوج کی منظوری",),
        "Q-WATER": ("پانی میں بقا",),
        "Q-SURV": ("زمین پر بقا",),
        "Q-FIRE": ("آگ اور زہریلی فضا کی تازہ اہلیت",),
        "Q-DEPR": ("دباؤ کم ہونے کی تازہ اہلیت",),
        "Q-SIM": ("شین ژو عملے کی اہلیت",),
    },
}
