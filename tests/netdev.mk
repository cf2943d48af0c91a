# tests/netdev.mk: tests of the netdev area (included from tests/automake.mk).
