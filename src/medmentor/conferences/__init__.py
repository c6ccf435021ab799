"""Peer-support conferences (seed 001): sessions, run sheets, storytellers, attendance."""
