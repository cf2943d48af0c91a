# doc/: man pages, bash completion (bash-completion 2.8+ loads
# "guestnetctl.bash" for guestnetctl), the API reference, the architecture
# and the libvirt/LXC hooks guide.
man_MANS = doc/guestnetd.8 doc/guestnetctl.8

bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = doc/guestnetctl.bash

EXTRA_DIST += $(man_MANS) doc/api.md doc/architecture.md doc/hooks.md
