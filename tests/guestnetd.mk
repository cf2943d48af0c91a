# tests/guestnetd.mk: tests of the guestnetd area (included from tests/automake.mk).
