#!/bin/bash
# bash completion (completion/subhost.bash): through the completion
# function with COMP_WORDS set, and as a person gets it, by Tab in an
# interactive bash under tmux.
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
COMPLETION=$SRC/completion/subhost.bash
# `subhost` on PATH is the binary under test.
bin=$T_ROOT/bin; mkdir -p "$bin"; ln -s "$SUBHOST" "$bin/subhost"
for a in overlay-boot overlay-stop overlay-go; do ln -s subhost "$bin/$a"; done
export PATH=$bin:$PATH
export SUBHOST_CONFDIR=$T_ROOT/confdir; mkdir -p "$SUBHOST_CONFDIR"

# complete WORD... : the words the completion offers for the last WORD.
complete_words() {
	bash -c '. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
		_subhost; [ ${#COMPREPLY[@]} = 0 ] || printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$COMPLETION" "$@"
}

bash -n "$COMPLETION"; ok $? "the completion file parses"

# ---- commands and options, read from --help ------------------------------------
is "$(complete_words subhost st)" "stats status stop " "subhost st<Tab>: stats, status, stop"
is "$(complete_words subhost a)" "autostart " "subhost a<Tab>: autostart"
all=$(complete_words subhost '')
cmds=$("$SUBHOST" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z0-9-]*\).*/\1/p' | sort | tr '\n' ' ')
is "$all" "$cmds" "subhost <Tab>: every command of --help"
like "$all" "(^| )boot .*top " "the commands include boot and top"
is "$(complete_words subhost help au)" "autostart " "subhost help au<Tab>: autostart"
is "$(complete_words subhost boot --)" "--foreground --timeout " "subhost boot --<Tab>: its options"
is "$(complete_words subhost autostart --)" "--jobs --list --timeout " "subhost autostart --<Tab>: its options"
is "$(complete_words subhost top --sort '')" "cpu mem name pids " "subhost top --sort <Tab>: the keys"
is "$(complete_words subhost autostart '')" "start status stop " "subhost autostart <Tab>: the actions"
is "$(complete_words subhost autostart st)" "start status stop " "subhost autostart st<Tab>"
is "$(complete_words subhost autostart --jobs 2 s)" "start status stop " "an option's value is not a positional argument"
is "$(complete_words subhost -)" "--help --version " "subhost -<Tab>: --help, --version"
touch "$T_ROOT/list-file"
is "$(complete_words subhost autostart --list "$T_ROOT/list-f")" "$T_ROOT/list-file " "--list FILE completes paths"

# ---- subhost names --------------------------------------------------------------
n=$(uniq_name cmp); mk "$n"
cp "$CONF" "$SUBHOST_CONFDIR/$n.conf"; sed -i "s|^BASE=.*|BASE=$DIR|" "$SUBHOST_CONFDIR/$n.conf"
like "$(complete_words subhost boot "${n:0:3}")" "(^| )$n " "subhost boot <Tab>: the configured names"
is "$(complete_words subhost stop "$n")" "" "subhost stop <Tab>: no running subhost of that name yet"
"$SUBHOST" boot "$n" </dev/null; ok $? "boot $n"
is "$(complete_words subhost stop "$n")" "$n " "subhost stop <Tab>: the running subhost"
is "$(complete_words subhost go "${n:0:5}")" "$n " "subhost go <Tab>: the running subhost"
is "$(complete_words subhost go "$n" -- ls)" "" "nothing is offered after go NAME --"
like "$(complete_words overlay-go "$n")" "^$n " "overlay-go <Tab>: the running subhost"
is "$(complete_words subhost boot "$DIR/${n:0:3}")" "$DIR/$n.conf " "subhost boot PATH<Tab>: conf files"

# ---- Tab in an interactive bash, under tmux -------------------------------------
if needs "tmux" -- command -v tmux; then
	sock=$T_ROOT/tmux.sock
	EXTRA_CLEAN+=("tmux -S '$sock' kill-server")
	cat > "$T_ROOT/bashrc" <<EOF
PS1='prompt\$ '
export PATH=$PATH SUBHOST_CONFDIR=$SUBHOST_CONFDIR
. $COMPLETION
EOF
	tmux -S "$sock" new-session -d -x 200 -y 50 "bash --rcfile $T_ROOT/bashrc -i"
	screen() { tmux -S "$sock" capture-pane -p; }
	wait_for 50 sh -c "tmux -S '$sock' capture-pane -p | grep -q 'prompt\\$'"
	ok $? "an interactive bash runs in tmux"
	# Two Tabs list the candidates of an ambiguous word.
	tmux -S "$sock" send-keys 'subhost st' Tab Tab
	wait_for 50 sh -c "tmux -S '$sock' capture-pane -p | grep -q 'stop'"
	like "$(screen)" "stats +status +stop" "subhost st<Tab><Tab> lists stats, status, stop" || diag "$(screen)"
	tmux -S "$sock" send-keys C-u
	# One Tab completes a unique running name in place.
	tmux -S "$sock" send-keys "subhost stop ${n:0:6}" Tab
	wait_for 50 sh -c "tmux -S '$sock' capture-pane -p | grep -q 'subhost stop $n'"
	like "$(screen)" "prompt\\$ subhost stop $n" "subhost stop <Tab> completes the running name" || diag "$(screen)"
	tmux -S "$sock" send-keys Enter
	wait_for 100 gone "$n"; ok $? "and the completed command line stops it"
	tmux -S "$sock" kill-server
fi
"$SUBHOST" stop "$n" </dev/null >/dev/null 2>&1
no_residue "$n"

done_testing
