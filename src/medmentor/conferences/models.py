"""Tables of this kind (to come)."""
