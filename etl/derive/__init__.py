"""Derived tables, computed over the whole database after loading: indicator identities across districts and years, directions, KF target checks."""
