# guestnet.m4: configure checks of guestnet.

dnl GN_CHECK_OVS: --with-ovs-source and --with-ovs-build, as OVN takes them.
dnl Checks that the source is Open vSwitch 3.1 and that the build holds a
dnl built lib/.libs/libopenvswitch.a, and sets OVS_SRCDIR, OVS_BUILDDIR,
dnl OVS_CFLAGS and OVS_LIBADD (the libraries libopenvswitch needs).
AC_DEFUN([GN_CHECK_OVS], [
  AC_ARG_WITH([ovs-source],
    [AS_HELP_STRING([--with-ovs-source=DIR],
                    [Open vSwitch 3.1 source tree (from openvswitch-source)])],
    [OVS_SRCDIR=$withval], [OVS_SRCDIR=])
  AC_ARG_WITH([ovs-build],
    [AS_HELP_STRING([--with-ovs-build=DIR],
                    [Open vSwitch build tree holding lib/libopenvswitch.la
                     (default: the source tree)])],
    [OVS_BUILDDIR=$withval], [OVS_BUILDDIR=$OVS_SRCDIR])

  AC_MSG_CHECKING([for the Open vSwitch source tree])
  AS_IF([test -z "$OVS_SRCDIR"],
    [AC_MSG_ERROR([--with-ovs-source=DIR is required.  Run scripts/build-ovs.sh: it builds libopenvswitch from Debian's openvswitch-source and prints the --with-ovs-source and --with-ovs-build arguments to use.])])
  AS_IF([test ! -f "$OVS_SRCDIR/include/openvswitch/ofp-flow.h" ||
         test ! -f "$OVS_SRCDIR/configure"],
    [AC_MSG_ERROR([$OVS_SRCDIR is not an Open vSwitch source tree (no include/openvswitch/ofp-flow.h).  Run scripts/build-ovs.sh.])])
  OVS_SRCDIR=`cd "$OVS_SRCDIR" && pwd`
  OVS_VERSION=`sed -n "s/^PACKAGE_VERSION='\(.*\)'\$/\1/p" "$OVS_SRCDIR/configure"`
  AC_MSG_RESULT([$OVS_SRCDIR (Open vSwitch $OVS_VERSION)])
  AS_CASE([$OVS_VERSION], [3.1.*], [],
    [AC_MSG_ERROR([$OVS_SRCDIR holds Open vSwitch "$OVS_VERSION"; guestnet needs 3.1.x, the version of Debian 12's openvswitch-source.])])

  AC_MSG_CHECKING([for a built libopenvswitch])
  AS_IF([test ! -f "$OVS_BUILDDIR/lib/.libs/libopenvswitch.a" ||
         test ! -f "$OVS_BUILDDIR/config.h"],
    [AC_MSG_ERROR([$OVS_BUILDDIR has no lib/.libs/libopenvswitch.a or config.h.  Build it with scripts/build-ovs.sh, or pass --with-ovs-build=DIR.])])
  OVS_BUILDDIR=`cd "$OVS_BUILDDIR" && pwd`
  AS_IF([! grep -q "PACKAGE_VERSION \"$OVS_VERSION\"" "$OVS_BUILDDIR/config.h"],
    [AC_MSG_ERROR([$OVS_BUILDDIR was not built from Open vSwitch $OVS_VERSION (see its config.h).  Rebuild with scripts/build-ovs.sh.])])
  AC_MSG_RESULT([$OVS_BUILDDIR/lib/.libs/libopenvswitch.a])

  dnl The libraries libopenvswitch.a itself was linked against.
  OVS_LIBADD=`sed -n 's/^LIBS = //p' "$OVS_BUILDDIR/Makefile"`
  OVS_CFLAGS="-I$OVS_SRCDIR/include -I$OVS_BUILDDIR/include -I$OVS_SRCDIR/lib -I$OVS_BUILDDIR/lib -I$OVS_SRCDIR"
  AC_SUBST([OVS_SRCDIR])
  AC_SUBST([OVS_BUILDDIR])
  AC_SUBST([OVS_VERSION])
  AC_SUBST([OVS_CFLAGS])
  AC_SUBST([OVS_LIBADD])
])

dnl GN_ENABLE_WERROR: --enable-Werror turns warnings into errors (CI uses it).
AC_DEFUN([GN_ENABLE_WERROR], [
  AC_ARG_ENABLE([Werror],
    [AS_HELP_STRING([--enable-Werror], [treat compiler warnings as errors])],
    [], [enable_Werror=no])
  AS_IF([test "$enable_Werror" = yes], [WERROR_CFLAGS=-Werror], [WERROR_CFLAGS=])
  AC_SUBST([WERROR_CFLAGS])
])

dnl GN_ENABLE_SANITIZERS: --enable-sanitizers builds with AddressSanitizer and
dnl UndefinedBehaviorSanitizer.
AC_DEFUN([GN_ENABLE_SANITIZERS], [
  AC_ARG_ENABLE([sanitizers],
    [AS_HELP_STRING([--enable-sanitizers],
                    [build with AddressSanitizer and UndefinedBehaviorSanitizer])],
    [], [enable_sanitizers=no])
  AS_IF([test "$enable_sanitizers" = yes],
    [SANITIZER_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"],
    [SANITIZER_FLAGS=])
  AC_SUBST([SANITIZER_FLAGS])
  AM_CONDITIONAL([SANITIZERS], [test "$enable_sanitizers" = yes])
])

dnl GN_ENABLE_FUZZING: --enable-fuzzing (with CC=clang) builds everything
dnl for libFuzzer with AddressSanitizer and UndefinedBehaviorSanitizer and
dnl adds the fuzz targets (fuzz/automake.mk).
AC_DEFUN([GN_ENABLE_FUZZING], [
  AC_ARG_ENABLE([fuzzing],
    [AS_HELP_STRING([--enable-fuzzing],
                    [build the libFuzzer targets (CC=clang)])],
    [], [enable_fuzzing=no])
  AS_IF([test "$enable_fuzzing" = yes],
    [SANITIZER_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
     AC_SUBST([SANITIZER_FLAGS])])
  AM_CONDITIONAL([FUZZING], [test "$enable_fuzzing" = yes])
])

dnl GN_WARNING_FLAGS: the warnings guestnet's own code is held to.
AC_DEFUN([GN_WARNING_FLAGS], [
  WARNING_CFLAGS="-Wall -Wextra -Wno-sign-compare -Wno-unused-parameter -Wpointer-arith -Wformat-security -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition -Wshadow"
  AC_SUBST([WARNING_CFLAGS])
])

dnl GN_SYSTEMD_UNIT_DIR: where "make install" puts guestnetd.service.
dnl --with-systemdsystemunitdir=DIR, by default systemd's own directory
dnl (pkg-config systemd), else $prefix/lib/systemd/system; "no" installs
dnl no unit.  Sets systemdsystemunitdir and the conditional INSTALL_UNIT.
AC_DEFUN([GN_SYSTEMD_UNIT_DIR], [
  AC_ARG_WITH([systemdsystemunitdir],
    [AS_HELP_STRING([--with-systemdsystemunitdir=DIR],
                    [install guestnetd.service into DIR (default: systemd's
                     system unit directory; "no": do not install it)])],
    [], [with_systemdsystemunitdir=auto])
  AS_IF([test "$with_systemdsystemunitdir" = auto ||
         test "$with_systemdsystemunitdir" = yes],
    [with_systemdsystemunitdir=`$PKG_CONFIG --variable=systemdsystemunitdir systemd 2>/dev/null`
     AS_IF([test -z "$with_systemdsystemunitdir"],
       [with_systemdsystemunitdir='${prefix}/lib/systemd/system'])])
  AC_MSG_CHECKING([where to install guestnetd.service])
  AC_MSG_RESULT([$with_systemdsystemunitdir])
  AS_IF([test "$with_systemdsystemunitdir" != no],
    [AC_SUBST([systemdsystemunitdir], [$with_systemdsystemunitdir])])
  AM_CONDITIONAL([INSTALL_UNIT], [test "$with_systemdsystemunitdir" != no])
])
