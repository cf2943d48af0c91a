# vm.sh: QEMU test guests driven over their serial console (source it).
#
# A guest boots Debian's cloud kernel with the busybox initramfs of
# build-initramfs.sh under TCG (no KVM needed).  Its serial console is a
# pair of FIFOs: the host writes "ID COMMAND" lines to DIR/NAME.in, and the
# guest's output is copied to DIR/NAME.log, where the init prints
# "GN-READY", "GN-BEGIN ID" and "GN-DONE ID RC" (see tests/guest/init).
#
#   gn_vm_image                        sets GN_VM_KERNEL, GN_VM_INITRD
#   gn_vm_start NAME DIR NETNS APPEND QEMU_NET_ARGS...
#   gn_vm_qemu NAME DIR NETNS APPEND QEMU_ARGS...
#                                      a QEMU on the console NAME made by
#                                      gn_vm_console (two QEMUs of one
#                                      guest in a live migration)
#   gn_vm_console NAME DIR             the console of a QEMU started by
#                                      another (libvirt: a serial of type
#                                      pipe, path DIR/NAME); then
#                                      gn_vm_started NAME PID
#   gn_vm_wait_ready NAME SECONDS
#   gn_vm_run NAME SECONDS COMMAND     runs COMMAND in the guest; its status
#   gn_vm_output NAME                  the output of the last gn_vm_run
#   gn_vm_stop NAME                    powers off (kills after 10 s)
#
# GN_VM_ACCEL (default tcg) is passed to QEMU's -machine accel=.
# Every started guest is recorded (gn_vm_pids, gn_vm_reader_pids) so a
# caller can kill what is left.

GN_VM_ACCEL=${GN_VM_ACCEL:-tcg}
GN_VM_MEM=${GN_VM_MEM:-160}
declare -A GN_VM_DIR GN_VM_PID GN_VM_SEQ GN_VM_FD GN_VM_READER

# gn_vm_image: builds (or finds cached) the guest kernel and initramfs.
gn_vm_image() {
    local out
    out=$("$GN_SRCDIR/tests/guest/build-initramfs.sh") || return 1
    eval "$out"
    export GN_VM_KERNEL GN_VM_INITRD
}

# gn_vm_start NAME DIR NETNS APPEND QEMU_NET_ARGS...: boots a guest in the
# background inside network namespace NETNS (where its tap is), with the
# kernel command line APPEND (gn.ip=... etc.) and QEMU_NET_ARGS as given.
gn_vm_start() {
    local name=$1 dir=$2 netns=$3 append=$4
    shift 4
    gn_vm_console "$name" "$dir"
    gn_vm_qemu "$name" "$dir" "$netns" "gn.name=$name $append" "$@"
}

# gn_vm_qemu NAME DIR NETNS APPEND QEMU_ARGS...: the test guest's QEMU in
# the background inside NETNS, on the console NAME (gn_vm_console NAME DIR
# first), with its pidfile DIR/NAME.pid, its output in DIR/NAME.qemu.log,
# the kernel command line APPEND and the extra QEMU_ARGS.  Two QEMUs of one
# live migration differ only in NAME and their extra arguments
# ("-incoming"), so that the machine and the devices are the same.
gn_vm_qemu() {
    local name=$1 dir=$2 netns=$3 append=$4
    shift 4
    ip netns exec "$netns" qemu-system-x86_64 \
        -machine "pc,accel=$GN_VM_ACCEL" -m "$GN_VM_MEM" -smp 1 \
        -nographic -nodefaults -no-reboot -no-user-config \
        -serial "pipe:$dir/$name" \
        -pidfile "$dir/$name.pid" \
        -kernel "$GN_VM_KERNEL" -initrd "$GN_VM_INITRD" \
        -append "console=ttyS0 quiet loglevel=1 panic=-1 $append" \
        "$@" > "$dir/$name.qemu.log" 2>&1 &
    gn_vm_started "$name" $!
}

# gn_vm_console NAME DIR: the serial console of guest NAME, before its QEMU
# starts: the FIFOs DIR/NAME.in and DIR/NAME.out (QEMU's "-serial
# pipe:DIR/NAME", libvirt's <serial type='pipe'> with <source
# path='DIR/NAME'/>), the output copied to DIR/NAME.log.
gn_vm_console() {
    local name=$1 dir=$2
    GN_VM_DIR[$name]=$dir
    GN_VM_SEQ[$name]=0
    rm -f "$dir/$name.in" "$dir/$name.out"
    mkfifo "$dir/$name.in" "$dir/$name.out"
    : > "$dir/$name.log"
    # Held open read-write, so writes never block, even once QEMU is gone.
    exec {GN_VM_FD[$name]}<>"$dir/$name.in"
    # The console: copied to the log (with carriage returns dropped) until
    # QEMU exits and closes its end.
    stdbuf -o0 tr -d '\r' < "$dir/$name.out" >> "$dir/$name.log" &
    GN_VM_READER[$name]=$!
}

# gn_vm_started NAME PID: guest NAME's QEMU runs as PID.
gn_vm_started() {
    GN_VM_PID[$1]=$2
}

# gn_vm_pids: the PIDs of all guests started, for a cleanup.
gn_vm_pids() {
    echo "${GN_VM_PID[@]}"
}

# gn_vm_reader_pids: the PIDs of the console copies, for a cleanup (one
# whose QEMU never started waits for it forever).
gn_vm_reader_pids() {
    echo "${GN_VM_READER[@]}"
}

# gn_vm_wait_ready NAME SECONDS: waits for the guest's "GN-READY" line.
gn_vm_wait_ready() {
    local name=$1 tries=$(( $2 * 10 )) dir=${GN_VM_DIR[$1]}
    until grep -q '^GN-READY' "$dir/$name.log" 2>/dev/null; do
        if ! kill -0 "${GN_VM_PID[$name]}" 2>/dev/null; then
            echo "vm $name: QEMU exited:" >&2
            tail -n 5 "$dir/$name.qemu.log" "$dir/$name.log" >&2
            return 1
        fi
        tries=$((tries - 1))
        if [ $tries -le 0 ]; then
            echo "vm $name: not ready; console:" >&2
            tail -n 5 "$dir/$name.log" >&2
            return 1
        fi
        sleep 0.1
    done
}

# gn_vm_run NAME SECONDS COMMAND: runs COMMAND (one line of sh) in the
# guest and returns its exit status (124 if no answer within SECONDS).
gn_vm_run() {
    local name=$1 tries=$(( $2 * 10 )) cmd=$3 dir=${GN_VM_DIR[$1]} id line
    id=$(( ${GN_VM_SEQ[$name]} + 1 ))
    GN_VM_SEQ[$name]=$id
    echo "$id $cmd" >&"${GN_VM_FD[$name]}"
    while :; do
        line=$(grep -a "^GN-DONE $id " "$dir/$name.log" | head -n 1)
        if [ -n "$line" ]; then
            return "${line##* }"
        fi
        tries=$((tries - 1))
        [ $tries -gt 0 ] || return 124
        sleep 0.1
    done
}

# gn_vm_output NAME: what the last gn_vm_run printed.
gn_vm_output() {
    local name=$1 id=${GN_VM_SEQ[$1]}
    sed -n "/^GN-BEGIN $id\$/,/^GN-DONE $id /p" "${GN_VM_DIR[$name]}/$name.log" \
        | sed '1d;$d'
}

# gn_vm_stop NAME: powers the guest off and waits for QEMU to exit; kills
# it if it is still there after 10 s.
gn_vm_stop() {
    local name=$1 pid=${GN_VM_PID[$1]} tries=100
    echo poweroff >&"${GN_VM_FD[$name]}" 2>/dev/null
    while kill -0 "$pid" 2>/dev/null; do
        tries=$((tries - 1))
        if [ $tries -le 0 ]; then
            kill -9 "$pid" 2>/dev/null
            break
        fi
        sleep 0.1
    done
    wait "$pid" 2>/dev/null
    exec {GN_VM_FD[$name]}>&-
    return 0
}
