"""Member states, campaigns, presidencies and milestones."""
