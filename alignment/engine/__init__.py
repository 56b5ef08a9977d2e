"""The planning engine: top-down target, bottom-up rollup, gap allocation, the plan. Cents in, cents out."""
