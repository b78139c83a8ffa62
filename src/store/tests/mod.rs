//! Unit tests of the store's write functions against a real database.
