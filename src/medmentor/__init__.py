"""medmentor: run and evaluate peer, near-peer and reverse mentorship programs."""

__version__ = "0.1.0"
