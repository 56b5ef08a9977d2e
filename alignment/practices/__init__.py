"""The practices beside the plan: roles and channels, the report card, the monthly review, the celebration."""
