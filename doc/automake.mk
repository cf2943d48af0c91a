# doc/: man pages, bash completion (bash-completion 2.8+ loads
# "guestnetctl.bash" for guestnetctl) and the API reference.
man_MANS = doc/guestnetd.8 doc/guestnetctl.8

bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = doc/guestnetctl.bash

EXTRA_DIST += $(man_MANS) doc/api.md
