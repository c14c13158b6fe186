"""Daily work logs and goal-plan changes (Art. 10–14): kept by each person, reviewed by their
manager, filed with HR."""
