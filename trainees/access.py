SEES_TRAINEES = ("accounts.manage_people", "accounts.manage_medical", "accounts.log_training")
