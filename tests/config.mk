# tests/config.mk: tests of the config area (included from tests/automake.mk).
