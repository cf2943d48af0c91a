# doc/: man pages, bash completion (bash-completion 2.8+ loads
# "guestnetctl.bash" for guestnetctl), the API reference, how to attach
# guests (the hooks), the architecture and how to install and run
# guestnet.
man_MANS = doc/guestnetd.8 doc/guestnetctl.8

bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = doc/guestnetctl.bash

# Installed into $(docdir), so they come with the package.
dist_doc_DATA = doc/api.md doc/architecture.md doc/cluster.md \
	doc/install.md
doc_DATA = doc/hooks.md

# The hooks, where LXC configs and the libvirt hook entry point to them
# (doc/hooks.md, doc/install.md).  (They are in EXTRA_DIST already.)
hooksdir = $(pkgdatadir)/hooks
hooks_SCRIPTS = scripts/hooks/libvirt-qemu scripts/hooks/lxc-start-host

EXTRA_DIST += $(man_MANS) doc/hooks.md
