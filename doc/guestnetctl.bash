# bash completion for guestnetctl(8).  Port and network names are asked from
# guestnetd (guestnetctl --json port list / network list) when it answers.

_guestnetctl_names()
{
    local what=$1
    guestnetctl --json --timeout 2 "$what" list 2>/dev/null \
        | sed -n 's/^    "name": "\(.*\)",\{0,1\}$/\1/p'
}

_guestnetctl()
{
    local cur prev words cword
    _init_completion || return

    local i cmd="" sub=""
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            -s|--socket|-t|--timeout) ((i++)) ;;
            -*) ;;
            *) if [[ -z $cmd ]]; then cmd=${words[i]};
               elif [[ -z $sub ]]; then sub=${words[i]}; fi ;;
        esac
    done

    case $prev in
        -s|--socket) _filedir sock; return ;;
        -t|--timeout) return ;;
        --kind) COMPREPLY=($(compgen -W "kvm lxc" -- "$cur")); return ;;
        --network) COMPREPLY=($(compgen -W "$(_guestnetctl_names network)" \
                                -- "$cur")); return ;;
        --mode) COMPREPLY=($(compgen -W "phys" -- "$cur")); return ;;
        --netns) COMPREPLY=($(compgen -W "$(ip netns list 2>/dev/null \
                                | cut -d' ' -f1)" -- "$cur")); return ;;
        --netns-path) _filedir; return ;;
    esac

    if [[ -z $cmd ]]; then
        COMPREPLY=($(compgen -W "status port network flows trace reload
                                config cluster rule --socket --json
                                --timeout --cluster --help --version" \
                     -- "$cur"))
        return
    fi
    case $cmd in
        port)
            if [[ -z $sub ]]; then
                COMPREPLY=($(compgen -W "list show add add-many del limit" -- "$cur"))
            elif [[ $sub == limit && $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--egress --ingress --egress-pps
                    --ingress-pps --burst-ms" -- "$cur"))
            elif [[ $sub == show || $sub == del || $sub == limit ]]; then
                COMPREPLY=($(compgen -W "$(_guestnetctl_names port)" \
                             -- "$cur"))
            elif [[ $sub == add-many ]]; then
                COMPREPLY=($(compgen -f -W "--no-wait" -- "$cur"))
            elif [[ $sub == add && $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--kind --network --mac --ip --mtu
                    --vm-id --iface-id --owner --group --netns --netns-pid
                    --netns-path --guest-ifname --mode --peer --no-wait
                    --server --egress --ingress --egress-pps --ingress-pps
                    --burst-ms" \
                    -- "$cur"))
            fi ;;
        network)
            if [[ -z $sub ]]; then
                COMPREPLY=($(compgen -W "list show add set del" -- "$cur"))
            elif [[ ($sub == add || $sub == set) && $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--vlan --subnet --gateway --mtu
                    --private --no-private" -- "$cur"))
            elif [[ $sub == show || $sub == set || $sub == del ]]; then
                COMPREPLY=($(compgen -W "$(_guestnetctl_names network)" \
                             -- "$cur"))
            fi ;;
        trace)
            if [[ -z $sub ]]; then
                COMPREPLY=($(compgen -W "$(_guestnetctl_names port)" \
                             -- "$cur"))
            else
                compopt -o nospace
                COMPREPLY=($(compgen -W "dl_src= dl_dst= dl_vlan= proto= nw_src=
                    nw_dst= tp_src= tp_dst= icmp_type= icmp_code= frag= nd_target= nd_sll= nd_tll= nw_proto=" \
                    -- "$cur"))
            fi ;;
        cluster)
            if [[ -z $sub ]]; then
                COMPREPLY=($(compgen -W "status hosts ports networks import
                    host" -- "$cur"))
            elif [[ $sub == import ]]; then
                _filedir json
            elif [[ $sub == host ]]; then
                COMPREPLY=($(compgen -W "del --force" -- "$cur"))
            fi ;;
        rule)
            if [[ -z $sub ]]; then
                COMPREPLY=($(compgen -W "add del list" -- "$cur"))
            fi ;;
        config)
            if [[ -z $sub ]]; then
                COMPREPLY=($(compgen -W "check" -- "$cur"))
            else
                _filedir json
            fi ;;
    esac
} &&
complete -F _guestnetctl guestnetctl

# ex: filetype=sh
