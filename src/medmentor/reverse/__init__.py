"""Reverse mentoring (seed 002): juniors' feedback to consultants, then 1-2-1 sessions."""
