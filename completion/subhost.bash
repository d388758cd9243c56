# bash completion for subhost(8) and its overlay-boot names  -*- shell-script -*-
#
# The commands come from `subhost --help`, and each command's options and
# arguments from `subhost help COMMAND`, so this stays true as commands are
# added.  Subhost names: the running ones ($SUBHOST_RUNDIR or /run/subhost)
# and the configured ones ($SUBHOST_CONFDIR or /etc/subhost, NAME.conf).

_subhost_running()
{
	local d=${SUBHOST_RUNDIR:-/run/subhost} f
	for f in "$d"/*/state; do
		[ -e "$f" ] || continue
		f=${f%/state}
		printf '%s\n' "${f##*/}"
	done
}

_subhost_configured()
{
	local d=${SUBHOST_CONFDIR:-/etc/subhost} f
	for f in "$d"/*.conf; do
		[ -e "$f" ] || continue
		f=${f##*/}
		printf '%s\n' "${f%.conf}"
	done
}

# Add the words of $1 (one a line) that start with $cur to COMPREPLY.
_subhost_add()
{
	local w
	while IFS= read -r w; do
		[ -n "$w" ] && [[ $w == "$cur"* ]] && COMPREPLY+=("$w")
	done <<<"$1"
}

_subhost_files()        # $1: -f (files) or -d (directories)
{
	local IFS=$'\n'
	compopt -o filenames 2>/dev/null
	COMPREPLY+=($(compgen "$1" -- "$cur"))
}

# The commands listed under "commands:" in `subhost --help`.
_subhost_commands()
{
	"$1" --help 2>/dev/null | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z0-9-]*\).*/\1/p'
}

# Complete one argument of kind $1, a word of a synopsis (NAME|CONF,
# start|stop|status, DIR, ...), for command $2.
_subhost_arg()
{
	local kind=${1//[\[\]]/} cmd=$2
	case $kind in
	*NAME*|*CONF*)
		case $cmd in
		# these act on a subhost that does not run
		boot|run|clean|destroy|overlay-boot|overlay-clean-root)
			_subhost_add "$(_subhost_configured)" ;;
		*)
			_subhost_add "$(_subhost_running)" ;;
		esac
		case $kind in *CONF*) [[ $cur == */* || $cur == [.~]* ]] && _subhost_files -f ;; esac
		;;
	*DIR*|*FILE*|*PATH*)
		[[ $kind == *DIR* && $kind != *FILE* ]] && _subhost_files -d || _subhost_files -f ;;
	*[a-z]'|'[a-z]*)
		_subhost_add "$(tr '|' '\n' <<<"$kind")" ;;
	esac
}

_subhost()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local prog=${COMP_WORDS[0]} cmd help synopsis word i n
	local -a positional=() takes=()
	COMPREPLY=()

	case ${prog##*/} in
	overlay-*)
		# overlay-boot's names take a conf path or a subhost name.
		_subhost_add "$(_subhost_running; _subhost_configured)"
		_subhost_files -f
		return 0 ;;
	esac

	# The command: the first word after the program that is not an option.
	for ((i = 1; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} == -* ]] || { cmd=${COMP_WORDS[i]}; break; }
	done
	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			_subhost_add $'--help\n--version'
		else
			_subhost_add "$(_subhost_commands "$prog")"
		fi
		return 0
	fi
	if [ "$cmd" = help ]; then
		[ "$COMP_CWORD" = $((i + 1)) ] && _subhost_add "$(_subhost_commands "$prog")"
		return 0
	fi

	help=$("$prog" help "$cmd" 2>/dev/null) || return 0
	synopsis=$(sed -n "1s/^usage: [^ ]* $cmd *//p" <<<"$help")
	# Options that take a value: "--opt WORD" in the synopsis or the help.
	takes=($(grep -oE -- '--[a-z][a-z0-9-]*[ =][A-Za-z][A-Za-z|]*' <<<"$help" | sed 's/[ =].*//'))

	# The value of an option.
	if [[ $prev == --* ]] && [[ " ${takes[*]} " == *" $prev "* ]]; then
		word=$(grep -oE -- "$prev [A-Za-z][A-Za-z|]*" <<<"$help" | head -1)
		_subhost_arg "${word#* }" "$cmd"
		return 0
	fi
	if [[ $cur == -* ]]; then
		_subhost_add "$(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$help" | sort -u)"
		return 0
	fi

	# Which positional argument this is, skipping options and their values;
	# after a "--" the rest is a command for inside the subhost.
	n=0
	for ((i = i + 1; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		[ "$word" = -- ] && return 0
		if [[ $word == -* ]]; then
			[[ " ${takes[*]} " == *" $word "* ]] && i=$((i + 1))
			continue
		fi
		n=$((n + 1))
	done
	# The positional words of the synopsis: not options, not "[--]".
	for word in $synopsis; do
		case $word in
		\[--*|--*|\[-*|*\]) ;;
		*) positional+=("$word") ;;
		esac
	done
	[ "$n" -lt "${#positional[@]}" ] && _subhost_arg "${positional[n]}" "$cmd"
	return 0
}

complete -F _subhost subhost overlay-boot overlay-stop overlay-go overlay-share \
	overlay-clean-root overlay-diskfile
