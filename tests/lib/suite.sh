# The helpers every shell suite shares: sourced by tests/*/run.sh after
# they set $ink (the inkasso binary). Each helper counts one check: ok or
# fail with what was expected and what was found.
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
passed=0
failed=0

fail() {
    echo "FAIL: $1"
    failed=$((failed + 1))
}

ok() { passed=$((passed + 1)); }

# finish SUITE: the summary line and the suite's exit status.
finish() {
    echo "$1: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

# run NAME STATUS CMD...: CMD's exit status is STATUS; its output is in
# $tmp/out and $tmp/err.
run() {
    local name=$1 want=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" -ne "$want" ]; then
        fail "$name: exit status $got, expected $want"
        sed 's/^/  stderr: /' "$tmp/err" | head -5
        return 1
    fi
    ok
}

has() { # NAME FILE TEXT: FILE contains the fixed string TEXT
    if grep -qF -- "$3" "$2"; then
        ok
    else
        fail "$1: no \"$3\" in $(basename "$2")"
        head -c 300 "$2" | sed 's/^/  /'
    fi
}

is_empty() { # NAME FILE
    [ ! -s "$2" ] && ok || fail "$1: $(basename "$2") is not empty"
}

same_file() { # NAME GOT WANT
    if cmp -s "$2" "$3"; then
        ok
    else
        fail "$1: $2 differs from $3"
        diff "$3" "$2" | head -10
    fi
}

# pycheck NAME FILE PYTHON: runs PYTHON with the parsed JSON of FILE as r.
pycheck() {
    if python3 -c "import json, sys
r = json.load(open(sys.argv[1]))
$3" "$2" 2>"$tmp/pyerr"; then
        ok
    else
        fail "$1"
        sed 's/^/  /' "$tmp/pyerr" | tail -3
    fi
}

# start NAME ARGS...: starts inkasso serve ARGS in the background; sets
# $pid and $url from its "listening on" line (waits up to 10 s).
start() {
    local name=$1
    shift
    "$ink" serve "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    pid=$!
    pids+=("$pid")
    url=
    for _ in $(seq 100); do
        url=$(sed -n 's/^listening on //p' "$tmp/$name.out")
        [ -n "$url" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$url" ]; then
        fail "$name: server did not start"
        sed 's/^/  stderr: /' "$tmp/$name.err" | head -5
        return 1
    fi
    case $url in
    http://127.0.0.1:[1-9]*) ok ;;
    *) fail "$name: listening on \"$url\"" ;;
    esac
}

# stop NAME PID SIGNAL: sends SIGNAL, expects exit status 0 within 10 s.
stop() {
    local name=$1 p=$2 sig=$3
    kill "-$sig" "$p"
    for _ in $(seq 100); do
        kill -0 "$p" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$p" 2>/dev/null; then
        fail "$name: still running 10 s after SIG$sig"
        return 1
    fi
    wait "$p"
    local got=$?
    [ "$got" -eq 0 ] && ok || fail "$name: exit status $got after SIG$sig"
}

# req NAME STATUS PATH [CURL ARGS...]: GET $url/PATH with the curl
# arguments in auth=() and ARGS; body in $tmp/body, headers in $tmp/headers.
auth=()
req() {
    local name=$1 want=$2 path=$3
    shift 3
    local got
    got=$(curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' \
        "${auth[@]}" "$@" "$url$path")
    if [ "$got" != "$want" ]; then
        fail "$name: HTTP $got, expected $want"
        head -c 300 "$tmp/body" | sed 's/^/  body: /'
        return 1
    fi
    ok
}

# error NAME STATUS CODE MESSAGE PATH [CURL ARGS...]: a JSON error with
# that status, code and exact message.
error() {
    local name=$1 status=$2 code=$3 message=$4 path=$5
    shift 5
    req "$name" "$status" "$path" "$@" || return 1
    printf '{"error":{"code":"%s","message":"%s"}}\n' "$code" "$message" \
        >"$tmp/want"
    same_file "$name" "$tmp/body" "$tmp/want"
    has "$name content type" "$tmp/headers" "Content-Type: application/json"
}

# cli_same NAME PATH CLI ARGS...: the route's body is byte-equal to the
# CLI's stdout for the same options on the same store.
cli_same() {
    local name=$1 path=$2
    shift 2
    "$ink" "$@" >"$tmp/cli" 2>/dev/null || fail "$name: the CLI failed"
    req "$name" 200 "$path" && same_file "$name" "$tmp/body" "$tmp/cli"
}

# py NAME PYTHON ARGS...: PYTHON (with sys.argv = ARGS) runs without error.
py() {
    local name=$1 code=$2
    shift 2
    if python3 -c "$code" "$@" 2>"$tmp/pyerr"; then
        ok
    else
        fail "$name"
        sed 's/^/  /' "$tmp/pyerr" | tail -4
    fi
}
