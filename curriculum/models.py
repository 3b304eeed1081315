"""Curriculum definitions. They know nothing of the records made against them (see trainees)."""
