"""Who may open the training records' pages: the roles each kind of page belongs to.

A page refuses the other roles with 403 (`permission_any_required`); the records inside it are
still fetched through their model's `visible_to(user)`, so a trainer sees only their cohorts.
"""

# Programme admins, the medical officer and trainers: the pages about trainees and cohorts.
SEES_TRAINEES = ("accounts.manage_people", "accounts.manage_medical", "accounts.log_training")
# Trainers and programme admins: a cohort's progress board, and the report that sends it.
SEES_BOARD = ("accounts.log_training", "accounts.manage_people")
MANAGES_PEOPLE = "accounts.manage_people"
MANAGES_MEDICAL = "accounts.manage_medical"
# Staff (programme admins, the medical officer, trainers): the centre's resources; trainees are
# refused. Programme admins alone change them.
SEES_RESOURCES = SEES_TRAINEES
# Trainers and programme admins: who is authorised to instruct which module.
SEES_AUTHORISATIONS = ("accounts.log_training", "accounts.manage_people")
