#!/usr/bin/env bash
# Server tests: inkasso serve on 127.0.0.1 with port 0, every route driven
# with curl: answers equal to the CLI's, errors, auth, metrics, signals.
# usage: run.sh INKASSO_BINARY TESTS_DIR
set -u
ink=$1
tests=$2
data=$tests/data
. "$tests/lib/suite.sh"

# counter NAME: the value of a metrics line (0 when absent).
counter() {
    curl -s "$url/metrics" >"$tmp/metrics"
    awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }' "$tmp/metrics"
}

"$ink" import "$data/valid" --db "$tmp/valid.db" >/dev/null ||
    fail "import valid"
"$ink" import "$data/kpi_small" --db "$tmp/small.db" >/dev/null ||
    fail "import kpi_small"
db=$tmp/valid.db

# --- usage errors: exit 2 (1 for what fails at run time) ---
"$ink" serve >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && has "serve without db" "$tmp/err" "serve needs --db FILE" ||
    fail "serve without db: exit status"
"$ink" serve --db "$db" --listen nowhere >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && has "bad listen" "$tmp/err" '--listen: expected HOST:PORT with a port from 0 to 65535, got "nowhere"' ||
    fail "bad listen: exit status"
"$ink" serve --db "$db" --auth-reads >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && has "auth-reads alone" "$tmp/err" "--auth-reads needs --token-file" ||
    fail "auth-reads alone: exit status"
"$ink" serve --db "$tmp/missing.db" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && has "missing store" "$tmp/err" "--db: cannot open $tmp/missing.db" ||
    fail "missing store: exit status"
[ ! -e "$tmp/missing.db" ] && ok || fail "missing store: a store was created"
: >"$tmp/empty-token"
"$ink" serve --db "$db" --token-file "$tmp/empty-token" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && has "empty token" "$tmp/err" "--token-file: expected a token" ||
    fail "empty token: exit status"
"$ink" help serve >"$tmp/out" && has "help serve" "$tmp/out" "usage: inkasso serve --db FILE"

# --- the main server: tests/data/valid, no token ---
start main --db "$db" --listen 127.0.0.1:0 || exit 1
main_pid=$pid
main_url=$url
port=${url##*:}

# The port is taken: a second server says so and exits 1.
"$ink" serve --db "$db" --listen "127.0.0.1:$port" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && has "port in use" "$tmp/err" "cannot listen on 127.0.0.1:$port: Address already in use" ||
    fail "port in use: exit status"

# healthz
req "healthz" 200 /healthz && printf '{"status":"ok"}\n' >"$tmp/want" &&
    same_file "healthz body" "$tmp/body" "$tmp/want"
req "healthz HEAD" 200 /healthz -I

# kpi: byte-equal to inkasso kpi --format json
cli_same "kpi by currency" "/api/v1/kpi?by=currency" \
    kpi --db "$db" --format json --by currency
cli_same "kpi windows" "/api/v1/kpi?by=currency&windows=0,7,45" \
    kpi --db "$db" --format json --by currency --windows 0,7,45
cli_same "kpi by two dims, as_of" "/api/v1/kpi?by=currency,segment&as_of=2025-02-15" \
    kpi --db "$db" --format json --by currency,segment --as-of 2025-02-15
cli_same "kpi placement window" "/api/v1/kpi?by=currency&from=2025-01-01&to=2025-01-31" \
    kpi --db "$db" --format json --by currency --from 2025-01-01 --to 2025-01-31
cli_same "kpi extra column" "/api/v1/kpi?by=product,currency&windows=" \
    kpi --db "$db" --format json --by product,currency
cli_same "kpi by region (UTF-8 key)" "/api/v1/kpi?by=region,currency" \
    kpi --db "$db" --format json --by region,currency

# curves: byte-equal to inkasso curve --format json
cli_same "curves by currency" "/api/v1/curves?by=currency&step=30&max=60" \
    curve --db "$db" --format json --by currency --step 30 --max 60
cli_same "curves as_of and window" "/api/v1/curves?by=currency&step=1&max=40&as_of=2025-02-20&from=2025-01-01&to=2025-01-31" \
    curve --db "$db" --format json --by currency --step 1 --max 40 \
    --as-of 2025-02-20 --from 2025-01-01 --to 2025-01-31

# cases: every field of C1 checked against tests/data/valid by hand
req "case C1" 200 /api/v1/cases/C1 &&
    has "case C1 fields" "$tmp/body" '{"case_id":"C1","debtor_id":"D1","creditor_id":"K1","segment":"B2C","sector":"telecom","region":"Nord","risk_class":"A","portfolio":"P1","handler":"inhouse","opened_on":"2025-01-10","due_on":"2024-12-01","amount":100.5,"currency":"EUR","closed_on":"2025-02-01","close_reason":"paid","extras":{"product":"mobile"}' &&
    has "case C1 payments in date order" "$tmp/body" '"payments":[
{"payment_id":"P2","paid_on":"2025-01-20","amount":50.25,"method":null},
{"payment_id":"P1","paid_on":"2025-01-25","amount":50.25,"method":"card"}]' &&
    has "case C1 contacts" "$tmp/body" '"contacts":[
{"contact_id":"K2","at":"2025-01-11T10:00:00+01:00","channel":"phone","direction":"out","outcome":"responded","automated":false,"agent_id":"A7","cost":1.5}]}'
req "case C2" 200 /api/v1/cases/C2 &&
    has "case C2 UTF-8 region" "$tmp/body" '"region":"Süd, West"' &&
    has "case C2 reversal" "$tmp/body" '{"payment_id":"P3","paid_on":"2025-02-01","amount":-10,"method":"bank_transfer"}' &&
    has "case C2 open" "$tmp/body" '"closed_on":null,"close_reason":null'
req "case C3" 200 /api/v1/cases/C3 &&
    has "case C3 escaped newline" "$tmp/body" '"extras":{"product":"fixed\u000aline"}' &&
    has "case C3 no payments" "$tmp/body" '"payments":[]'
if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/body" 2>/dev/null; then
    ok
else
    fail "case C3: not valid JSON"
fi
error "unknown case" 404 not_found 'unknown case_id \"C9\"' /api/v1/cases/C9
error "unknown case quote" 404 not_found 'unknown case_id \"a\"b\"' '/api/v1/cases/a%22b'
error "unknown case backslash" 404 not_found 'unknown case_id \"a\\b\"' '/api/v1/cases/a%5Cb'
error "case without id" 404 not_found "no route /api/v1/cases/" /api/v1/cases/

# bad parameters: 400 with the CLI's messages
error "unknown dimension" 400 bad_parameter \
    '--by: unknown dimension \"colour\": expected a column of cases.csv or cohort_month, cohort_quarter, cohort_year, age_bucket' \
    "/api/v1/kpi?by=colour"
error "dimension twice" 400 bad_parameter '--by: dimension \"currency\" named twice' \
    "/api/v1/kpi?by=currency,currency"
error "window twice" 400 bad_parameter "--windows: 30 named twice" \
    "/api/v1/kpi?by=currency&windows=30,30"
error "bad as_of" 400 bad_parameter 'as_of: expected a date YYYY-MM-DD, got \"2025-02-30\"' \
    "/api/v1/kpi?as_of=2025-02-30"
error "from without to" 400 bad_parameter "from and to go together, with from on or before to" \
    "/api/v1/kpi?by=currency&from=2025-01-01"
error "bad window" 400 bad_parameter 'windows: expected days from 0 to 36500, got \"x\"' \
    "/api/v1/kpi?windows=30,x"
error "too many dims" 400 bad_parameter "by: expected up to 8 comma-separated dimensions" \
    "/api/v1/kpi?by=a,b,c,d,e,f,g,h,i"
# 65 windows, one more than inkasso kpi --windows takes (64); an empty item
error "too many windows" 400 bad_parameter "windows: expected up to 64 comma-separated day counts" \
    "/api/v1/kpi?windows=$(seq -s, 1 65)"
error "empty window" 400 bad_parameter "windows: expected up to 64 comma-separated day counts" \
    "/api/v1/kpi?windows=30,,60"
error "attribution empty by item" 400 bad_parameter "by: expected up to 4 comma-separated dimensions" \
    "/api/v1/attribution?by=segment,"
error "unknown parameter" 400 bad_parameter 'unknown parameter \"colour\": expected by, as_of, from, to or windows' \
    "/api/v1/kpi?colour=red"
error "parameter twice" 400 bad_parameter 'parameter \"by\" given twice' \
    "/api/v1/kpi?by=currency&by=segment"
error "bad step" 400 bad_parameter 'step: expected days from 1 to 3650, got \"0\"' \
    "/api/v1/curves?by=currency&step=0"
error "bad max" 400 bad_parameter 'max: expected days from 0 to 36500, got \"-1\"' \
    "/api/v1/curves?by=currency&max=-1"
error "too many points" 400 bad_parameter "max / step: at most 1023 points" \
    "/api/v1/curves?by=currency&step=1&max=5000"
error "case parameter" 400 bad_parameter 'unknown parameter \"x\": this route takes none' \
    "/api/v1/cases/C1?x=1"
# Currencies mixed in the total: 422, the engine's message
error "mixed currencies" 422 mixed_currencies \
    "the portfolio mixes currencies (CHF and EUR): amounts of different currencies are never added; group by currency with --by currency" \
    /api/v1/kpi
req "mixed currencies curves" 422 /api/v1/curves

# routes and methods
error "unknown route" 404 not_found "no route /api/v2/kpi" /api/v2/kpi
error "no route" 404 not_found "no route /index.php" /index.php
# the dashboard: its own security policy, revalidated on every load
req "dashboard" 200 /
has "dashboard type" "$tmp/headers" "Content-Type: text/html"
has "dashboard policy" "$tmp/headers" "Content-Security-Policy: default-src 'none';"
has "dashboard cache" "$tmp/headers" "Cache-Control: no-cache"
error "POST" 405 method_not_allowed "/api/v1/kpi takes GET, not POST" /api/v1/kpi -X POST -d 'x=1'
has "POST Allow header" "$tmp/headers" "Allow: GET, HEAD"
error "DELETE case" 405 method_not_allowed "/api/v1/cases/{case_id} takes GET, not DELETE" /api/v1/cases/C1 -X DELETE
long=$(printf 'a%.0s' $(seq 5000))
error "long query" 414 uri_too_long "the path may have at most 1024 bytes and the query 4096" "/api/v1/kpi?by=$long"
many=$(for i in $(seq 17); do printf 'p%d=1&' "$i"; done)
error "too many parameters" 400 bad_parameter "at most 16 query parameters" "/api/v1/kpi?$many"
# A request too large for a connection's memory: refused by MHD itself.
huge=$(printf 'a%.0s' $(seq 40000))
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v1/kpi?by=$huge")
case $code in 4*) ok ;; *) fail "huge request: HTTP $code" ;; esac

# metrics: counters go up, portfolio size
before=$(counter 'inkasso_http_requests_total{route="/api/v1/kpi",status="200"}')
count_before=$(counter 'inkasso_http_request_duration_seconds_count{route="/api/v1/kpi"}')
curl -s -o /dev/null "$url/api/v1/kpi?by=currency"
curl -s -o /dev/null "$url/api/v1/kpi?by=currency"
after=$(counter 'inkasso_http_requests_total{route="/api/v1/kpi",status="200"}')
count_after=$(counter 'inkasso_http_request_duration_seconds_count{route="/api/v1/kpi"}')
[ "$before" -ge 6 ] && [ "$after" -eq $((before + 2)) ] && ok ||
    fail "metrics: kpi 200 count $before then $after"
[ "$count_after" -eq $((count_before + 2)) ] && ok ||
    fail "metrics: kpi latency count $count_before then $count_after"
req "metrics" 200 /metrics &&
    has "metrics content type" "$tmp/headers" "Content-Type: text/plain; version=0.0.4" &&
    has "metrics cases" "$tmp/body" "inkasso_portfolio_cases 3" &&
    has "metrics payments" "$tmp/body" "inkasso_portfolio_payments 3" &&
    has "metrics contacts" "$tmp/body" "inkasso_portfolio_contacts 4" &&
    has "metrics 404" "$tmp/body" 'inkasso_http_requests_total{route="/api/v1/cases/{case_id}",status="404"} 3' &&
    has "metrics other" "$tmp/body" 'inkasso_http_requests_total{route="other",status="404"} 3' &&
    has "metrics 422" "$tmp/body" 'inkasso_http_requests_total{route="/api/v1/kpi",status="422"} 1' &&
    has "metrics latency" "$tmp/body" 'inkasso_http_request_duration_seconds_sum{route="/api/v1/kpi"} ' &&
    has "metrics type" "$tmp/body" "# TYPE inkasso_http_requests_total counter"

# concurrent requests: 20 at once, all 200 and equal to the CLI's
"$ink" kpi --db "$db" --format json --by currency,segment >"$tmp/cli"
for i in $(seq 20); do
    curl -s -o "$tmp/par$i" -w '%{http_code}' \
        "$url/api/v1/kpi?by=currency,segment" >"$tmp/par$i.code" &
done
wait_ok=1
for job in $(jobs -p); do
    [ "$job" = "$main_pid" ] || wait "$job" || wait_ok=0
done
for i in $(seq 20); do
    [ "$(cat "$tmp/par$i.code")" = 200 ] && cmp -s "$tmp/par$i" "$tmp/cli" ||
        { wait_ok=0; fail "concurrent request $i: HTTP $(cat "$tmp/par$i.code")"; }
done
[ "$wait_ok" -eq 1 ] && ok

# keep-alive: two requests on one connection
curl -sv -o /dev/null -o /dev/null "$url/healthz" "$url/healthz" 2>"$tmp/verbose"
has "keep-alive" "$tmp/verbose" "Re-using existing connection"

stop main "$main_pid" TERM

# --- auth: a token for reads; kpi_small has one currency ---
printf 's3cret-token\n' >"$tmp/token"
chmod 600 "$tmp/token"
start auth --db "$tmp/small.db" --listen 127.0.0.1:0 --token-file "$tmp/token" --auth-reads || exit 1
auth_pid=$pid
error "no token" 401 unauthorized "this route needs an Authorization: Bearer token" /api/v1/kpi
has "no token challenge" "$tmp/headers" "WWW-Authenticate: Bearer"
error "wrong token" 401 unauthorized "wrong bearer token" /api/v1/kpi -H "Authorization: Bearer s3cret-tokeN"
error "token prefix" 401 unauthorized "wrong bearer token" /api/v1/kpi -H "Authorization: Bearer s3cret"
error "token longer" 401 unauthorized "wrong bearer token" /api/v1/kpi -H "Authorization: Bearer s3cret-token2"
error "basic auth" 401 unauthorized "expected an Authorization: Bearer token" /api/v1/kpi -u a:b
error "no token case" 401 unauthorized "this route needs an Authorization: Bearer token" /api/v1/cases/C1
error "no token metrics" 401 unauthorized "this route needs an Authorization: Bearer token" /metrics
req "healthz without token" 200 /healthz
auth=(-H "Authorization: Bearer s3cret-token")
req "healthz with token" 200 /healthz
cli_same "kpi with token" /api/v1/kpi kpi --db "$tmp/small.db" --format json
cli_same "kpi with token, by segment" "/api/v1/kpi?by=segment,age_bucket&windows=14,28" \
    kpi --db "$tmp/small.db" --format json --by segment,age_bucket --windows 14,28
cli_same "default curves with token" /api/v1/curves \
    curve --db "$tmp/small.db" --format json
req "case with token" 200 /api/v1/cases/C1
req "metrics with token" 200 /metrics &&
    has "metrics small cases" "$tmp/body" "inkasso_portfolio_cases 9" &&
    has "metrics 401" "$tmp/body" 'inkasso_http_requests_total{route="/api/v1/kpi",status="401"} 5'
auth=()
stop auth "$auth_pid" INT

# A token without --auth-reads guards only writes: reads are open.
start open --db "$tmp/small.db" --listen 127.0.0.1:0 --token-file "$tmp/token" || exit 1
req "reads open without --auth-reads" 200 /api/v1/kpi
stop open "$pid" TERM

# --- ingest: POST rows, durable, applied, rejects listed ---
cp "$tmp/valid.db" "$tmp/ingest.db"
start ingest --db "$tmp/ingest.db" --listen 127.0.0.1:0 --token-file "$tmp/token" || exit 1
printf 'payment_id,case_id,paid_on,amount,currency,method\nP9,C2,2025-02-10,20,EUR,card\nP1,C1,2025-01-30,5,EUR,\nP10,C9,2025-02-10,5,EUR,\nP12,C3,2025-03-02,7,CHF,card\n' >"$tmp/batch.csv"
error "post without token" 401 unauthorized "this route needs an Authorization: Bearer token" \
    /api/v1/payments -H "Content-Type: text/csv" --data-binary @"$tmp/batch.csv"
auth=(-H "Authorization: Bearer s3cret-token")
error "get on a write route" 405 method_not_allowed "/api/v1/payments takes POST, not GET" /api/v1/payments
has "405 allow post" "$tmp/headers" "Allow: POST"
error "post on a read route" 405 method_not_allowed "/api/v1/kpi takes GET, not POST" \
    /api/v1/kpi --data-binary x
error "xml body" 415 unsupported_media_type "send the rows as text/csv with their header line, or as application/json (an array of objects)" \
    /api/v1/payments -H "Content-Type: application/xml" --data-binary '<a/>'
error "json not an array" 400 bad_body "JSON body: expected an array of row objects" \
    /api/v1/payments -H "Content-Type: application/json" --data-binary '{"a":1}'
error "json nested value" 400 bad_body "JSON body: expected a string, number, true, false or null (objects and arrays are not row values)" \
    /api/v1/payments -H "Content-Type: application/json" --data-binary '[{"amount":{"x":1}}]'
error "json trailing text" 400 bad_body "JSON body: text after the array" \
    /api/v1/payments -H "Content-Type: application/json" --data-binary '[] x'
req "post json contacts" 200 /api/v1/contacts -H "Content-Type: application/json" \
    --data-binary '[{"contact_id":"J1","case_id":"C2","at":"2025-02-15T10:00:00+01:00","channel":"let\u0074er, \"post\"","direction":"out","outcome":"delivered","automated":true},
                    {"contact_id":"J2","case_id":"C9","at":"2025-02-15T10:00:00Z","channel":"sms","direction":"out","outcome":"delivered","automated":null}]' &&
    printf '%s\n' '{"accepted":1,"rejected":[{"index":1,"field":"case_id","reason":"unknown_case","message":"unknown case_id \"C9\": not in cases.csv"}]}' >"$tmp/want" &&
    same_file "post json contacts answer" "$tmp/body" "$tmp/want"
req "case after json ingest" 200 /api/v1/cases/C2 &&
    has "json contact decoded" "$tmp/body" 'letter, \"post\"' 
error "bad header" 400 bad_body 'missing required column \"case_id\"' \
    /api/v1/payments -H "Content-Type: text/csv" --data-binary $'payment_id\nP1\n'
# Answers are cached until the next ingest: asked before, in another
# parameter order, and after.
req "kpi before ingest" 200 "/api/v1/kpi?by=currency&windows=30" &&
    has "kpi before ingest collected" "$tmp/body" '"collected_amount":90.5' &&
    cp "$tmp/body" "$tmp/before.json"
req "kpi cached" 200 "/api/v1/kpi?windows=30&by=currency" &&
    same_file "kpi cached answer" "$tmp/body" "$tmp/before.json"
# A dashboard's event stream, open before the ingest.
curl -s -N "$url/api/v1/events" >"$tmp/events" 2>/dev/null &
stream=$!
sleep 0.3
req "post payments" 200 /api/v1/payments -H "Content-Type: text/csv" --data-binary @"$tmp/batch.csv" &&
    printf '%s\n' '{"accepted":2,"rejected":[{"line":3,"column":1,"field":"payment_id","reason":"duplicate_id","message":"duplicate payment_id \"P1\" (already stored)"},{"line":4,"column":2,"field":"case_id","reason":"unknown_case","message":"unknown case_id \"C9\": not in cases.csv"}]}' >"$tmp/want" &&
    same_file "post payments answer" "$tmp/body" "$tmp/want"
# The query after the ingest sees the rows without a reload, and equals
# the CLI reading the store (durable before the answer).
req "kpi after ingest, not from the cache" 200 "/api/v1/kpi?by=currency&windows=30" &&
    has "kpi after ingest new collected" "$tmp/body" '"collected_amount":110.5'
sleep 0.3
has "event after ingest" "$tmp/events" "event: ingest"
has "event data" "$tmp/events" 'data: {"route":"/api/v1/payments","accepted":2,"report":{"as_of":"2025-03-02","by":["currency"]'
has "event totals" "$tmp/events" '"collected_amount":110.5'
req "kpi after ingest" 200 "/api/v1/kpi?by=currency" &&
    has "kpi after ingest collected" "$tmp/body" '"collected_amount":110.5' &&
    "$ink" kpi --db "$tmp/ingest.db" --by currency --format json >"$tmp/cli.json" &&
    same_file "kpi after ingest equals the store" "$tmp/body" "$tmp/cli.json"
req "post again" 200 /api/v1/payments -H "Content-Type: text/csv" --data-binary @"$tmp/batch.csv" &&
    has "post again changes nothing" "$tmp/body" '{"accepted":0,'
req "post contacts" 200 /api/v1/contacts -H "Content-Type: text/csv" \
    --data-binary $'contact_id,case_id,at,channel,direction,outcome\nK9,C3,2025-03-02T09:00:00Z,phone,out,responded\n' &&
    has "post contacts accepted" "$tmp/body" '{"accepted":1,"rejected":[]}'
req "case after ingest" 200 /api/v1/cases/C3 && has "case shows the contact" "$tmp/body" '"K9"'
# Cases: a new one, and an update that closes a stored one.
req "post cases" 200 /api/v1/cases -H "Content-Type: text/csv" \
    --data-binary $'case_id,debtor_id,segment,opened_on,amount,currency,closed_on,close_reason\nC8,D8,B2C,2025-02-01,10,EUR,,\nC3,D2,B2C,2025-03-02,50,CHF,2025-03-02,written_off\nC1,D1,B2C,2025-01-10,100.50,CHF,,\n' &&
    printf '%s\n' '{"accepted":2,"rejected":[{"line":4,"column":1,"field":"case_id","reason":"currency_mismatch","message":"expected EUR, the stored case\u0027s currency, got \"CHF\""}]}' | sed "s/\\\\u0027/'/" >"$tmp/want" &&
    same_file "post cases answer" "$tmp/body" "$tmp/want"
req "closed case" 200 /api/v1/cases/C3 && has "closed case shows it" "$tmp/body" '"close_reason":"written_off"'
req "new case" 200 /api/v1/cases/C8
head -c $((9 * 1024 * 1024)) /dev/zero | tr '\0' 'x' >"$tmp/huge"
error "body too large" 413 payload_too_large "the body may have at most 8388608 bytes" \
    /api/v1/costs -H "Content-Type: text/csv" --data-binary @"$tmp/huge"
req "metrics ingest" 200 /metrics &&
    has "metrics accepted rows" "$tmp/body" 'inkasso_ingest_rows_total{result="accepted"} 6' &&
    has "metrics rejected rows" "$tmp/body" 'inkasso_ingest_rows_total{result="rejected"} 8'
# Concurrent ingests and queries: every answer 200, every row counted once.
clients=()
for i in $(seq 10); do
    curl -s -o "$tmp/par$i" -w '%{http_code}\n' "${auth[@]}" -H "Content-Type: text/csv" \
        --data-binary "$(printf 'payment_id,case_id,paid_on,amount,currency\nQ%d,C2,2025-02-20,1,EUR\n' "$i")" \
        "$url/api/v1/payments" >"$tmp/code$i" &
    clients+=($!)
    curl -s -o /dev/null -w '%{http_code}\n' "${auth[@]}" "$url/api/v1/kpi?by=currency" >"$tmp/qcode$i" &
    clients+=($!)
done
wait "${clients[@]}"
codes=$(cat "$tmp"/code* "$tmp"/qcode* | sort | uniq -c | tr -s ' ')
[ "$codes" = " 20 200" ] && ok || fail "concurrent: $codes"
req "kpi after concurrent ingests" 200 "/api/v1/kpi?by=currency" &&
    has "ten more payments" "$tmp/body" '"collected_amount":120.5'
auth=()
# The stream is still open: stopping the server ends it.
stop ingest "$pid" TERM
wait "$stream" 2>/dev/null
# Events carry the latest totals: a stream that falls behind skips to
# the newest, so at least payments, contacts and one concurrent batch.
[ "$(grep -c '^event: ingest' "$tmp/events")" -ge 3 ] && ok ||
    fail "events: $(grep -c '^event: ingest' "$tmp/events") ingest events, expected 3 or more"
has "last event has the final totals" "$tmp/events" '"collected_amount":120.5'
# Restarted, the store gives the same portfolio (nothing lost, nothing doubled).
"$ink" kpi --db "$tmp/ingest.db" --by currency --format csv >"$tmp/after.csv"
has "store after restart" "$tmp/after.csv" "group,EUR,3,2,1,EUR,310.5,120.5"

# Killed with SIGKILL while ingesting: after a restart the store has the
# batch whole or not at all.
cp "$tmp/valid.db" "$tmp/kill.db"
{
    echo "payment_id,case_id,paid_on,amount,currency"
    for i in $(seq 50000); do echo "K$i,C2,2025-02-20,1,EUR"; done
} >"$tmp/bigbatch.csv"
start kill --db "$tmp/kill.db" --listen 127.0.0.1:0 --token-file "$tmp/token" || exit 1
curl -s -o /dev/null -H "Authorization: Bearer s3cret-token" -H "Content-Type: text/csv" \
    --data-binary @"$tmp/bigbatch.csv" "$url/api/v1/payments" &
poster=$!
sleep 0.2
kill -KILL "$pid"
wait "$pid" 2>/dev/null
wait "$poster" 2>/dev/null
"$ink" kpi --db "$tmp/kill.db" --by currency --format csv >"$tmp/killed.csv" &&
    collected=$(awk -F, '$1 == "group" && $2 == "EUR" { print $8 }' "$tmp/killed.csv") &&
    { [ "$collected" = "90.5" ] || [ "$collected" = "50090.5" ]; } && ok ||
    fail "store after SIGKILL during ingest: EUR collected $collected"

finish server
