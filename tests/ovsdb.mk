# tests/ovsdb.mk: tests of the ovsdb area (included from tests/automake.mk).
