"""Small peer groups (seed 003): the "every other Thursday" group of at most eight."""
