#!/bin/bash
# pipeline-reload: a config change (a new network, web made private)
# applied and reverted leaves the installed flow table exactly as it was,
# and each step sends only the flows that differ.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

gn_guestnetd_setup
cfg=$GN_CONFIG
s=$$
gn_pipeline_guests wa wb

gn_check "traffic-before-change" \
    ip netns exec "wa$s" ping -c 1 -W 2 10.10.0.12
before=$(gn_flows)
mods0=$(gn_openflow flow_mods)

cp "$cfg" "$cfg.orig"
"$GN_PYTHON" - "$cfg" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["networks"][0]["private"] = True
c["networks"].append({"name": "app", "vlan": 40,
                      "subnets": ["10.40.0.0/24"], "gateways": ["10.40.0.1"]})
json.dump(c, open(sys.argv[1], "w"))
PY
gn_check "reload-with-change" gn_reload
changed=$(gn_flows)
mods1=$(gn_openflow flow_mods)
gn_check "change-changes-flows" test "$changed" != "$before"
gn_check_fails "web-private-guests-cut-off" \
    ip netns exec "wa$s" ping -c 1 -W 1 10.10.0.12
n=$(comm -13 <(echo "$before") <(echo "$changed") | wc -l)
gone=$(comm -23 <(echo "$before") <(echo "$changed") | wc -l)
echo "change: $((mods1 - mods0)) flow_mods, $n flows new or changed," \
     "$gone flows old or changed"
gn_check "change-sends-only-the-difference" \
    test $((mods1 - mods0)) -le $((n + gone))

cp "$cfg.orig" "$cfg"
gn_check "reload-with-revert" gn_reload
mods2=$(gn_openflow flow_mods)
gn_check "revert-restores-identical-flow-table" gn_same_flows "$before"
echo "revert: $((mods2 - mods1)) flow_mods"
gn_check "revert-sends-only-the-difference" \
    test $((mods2 - mods1)) -le $((n + gone))
gn_check "traffic-after-revert" \
    ip netns exec "wa$s" ping -c 1 -W 2 10.10.0.12

# A reload that changes nothing sends nothing.
kill -HUP "$GN_GUESTNETD_PID"
sleep 1
gn_check "unchanged-reload-sends-no-flow-mod" \
    test "$(gn_openflow flow_mods)" = "$mods2"
gn_done
