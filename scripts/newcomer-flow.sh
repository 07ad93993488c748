#!/usr/bin/env bash
# A newcomer's first session with the API, scripted: create an admin with the CLI, log in with curl and a cookie jar,
# create an API token, then with the token build a whole project (key, repository, inventory, environment with
# secrets, view, template with vaults and survey vars, schedule, integration with a matcher and a value), read each
# object back, and delete everything in reverse order (one delete is refused with inUse first).
#
# Usage: BASE_URL=http://localhost:3000 bash scripts/newcomer-flow.sh
# The CLI step uses the same SEMAPHORE_DB_* settings as the server (skip it with SKIP_USER_ADD=1 and give
# LOGIN/PASSWORD of an existing admin).
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_URL=${BASE_URL:-http://localhost:3000}
LOGIN=${LOGIN:-newcomer-$RANDOM$RANDOM}
PASSWORD=${PASSWORD:-"newcomer-password-$RANDOM"}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
JAR=$WORK/cookies

step() { printf '== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
# json FILE EXPR: evaluates EXPR on the parsed JSON of FILE (bound to `j`) and prints the result.
json() { node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));const v=eval(process.argv[2]);process.stdout.write(typeof v==="string"?v:JSON.stringify(v))' "$1" "$2"; }
# call METHOD PATH [BODY] -> sets $STATUS, body in $WORK/body
call() {
  local method=$1 path=$2 body=${3:-}
  local args=(-sS -o "$WORK/body" -w '%{http_code}' -X "$method" -H "Authorization: bearer $TOKEN" -H 'Accept: application/json')
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data "$body")
  STATUS=$(curl "${args[@]}" "$BASE_URL$path")
}
expect() { # expect STATUS DESCRIPTION
  [ "$STATUS" = "$1" ] || fail "$2: expected HTTP $1, got $STATUS: $(cat "$WORK/body")"
  printf '   %s -> %s\n' "$2" "$STATUS"
}
id_by_name() { # id_by_name LIST_PATH NAME
  call GET "$1"; expect 200 "GET $1" >&2
  json "$WORK/body" "String(j.find(x => x.name === '$2').id)"
}

if [ -z "${SKIP_USER_ADD:-}" ]; then
  step "create an admin with the CLI"
  node apps/api/bin/semaphore.js user add --login "$LOGIN" --name Newcomer --email "$LOGIN@example.com" --password "$PASSWORD" --admin
fi

step "log in with curl and a cookie jar"
STATUS=$(curl -sS -o "$WORK/body" -w '%{http_code}' -c "$JAR" -H 'Content-Type: application/json' \
  --data "{\"auth\":\"$LOGIN\",\"password\":\"$PASSWORD\"}" "$BASE_URL/api/auth/login")
expect 204 "POST /api/auth/login"
grep -q semaphore_session "$JAR" || fail "no session cookie in the jar"

step "create an API token with the session"
STATUS=$(curl -sS -o "$WORK/body" -w '%{http_code}' -b "$JAR" -X POST "$BASE_URL/api/user/tokens")
expect 201 "POST /api/user/tokens"
TOKEN=$(json "$WORK/body" 'j.id')

step "build a project with the token"
call POST /api/projects '{"name":"Newcomer project","alert":false,"max_parallel_tasks":0}'
expect 201 "POST /api/projects"
P=/api/project/$(json "$WORK/body" 'String(j.id)')

KEY_PEM=$(ssh-keygen -q -t ed25519 -N '' -f "$WORK/id" && cat "$WORK/id")
KEY_JSON=$(node -e 'process.stdout.write(JSON.stringify({name:"deploy key",type:"ssh",ssh:{login:"deploy",passphrase:"",private_key:process.argv[1]}}))' -- "$KEY_PEM")
call POST "$P/keys" "$KEY_JSON"; expect 204 "POST keys (ssh)"
KEY_ID=$(id_by_name "$P/keys" "deploy key")
call POST "$P/keys" '{"name":"vault password","type":"login_password","login_password":{"login":"","password":"vault-secret-pw"}}'
expect 204 "POST keys (login_password)"
VAULT_KEY_ID=$(id_by_name "$P/keys" "vault password")

call POST "$P/repositories" "{\"name\":\"infra\",\"git_url\":\"https://example.com/infra.git\",\"git_branch\":\"main\",\"ssh_key_id\":$KEY_ID}"
expect 204 "POST repositories"
REPO_ID=$(id_by_name "$P/repositories" infra)

call POST "$P/inventory" "{\"name\":\"prod\",\"type\":\"static\",\"inventory\":\"[web]\\nweb1.example.com\",\"ssh_key_id\":$KEY_ID}"
expect 201 "POST inventory"
INV_ID=$(json "$WORK/body" 'String(j.id)')

call POST "$P/environment" '{"name":"production","json":"{\"region\":\"eu\"}","env":"{\"TZ\":\"UTC\"}","secrets":[{"type":"env","name":"API_TOKEN","secret":"env-secret-value","operation":"create"}]}'
expect 204 "POST environment (with a secret)"
ENV_ID=$(id_by_name "$P/environment" production)

call POST "$P/views" '{"title":"Deployments","position":1}'
expect 201 "POST views"
VIEW_ID=$(json "$WORK/body" 'String(j.id)')

call POST "$P/templates" "{\"name\":\"Deploy\",\"app\":\"ansible\",\"playbook\":\"site.yml\",\"repository_id\":$REPO_ID,\"inventory_id\":$INV_ID,\"environment_id\":$ENV_ID,\"view_id\":$VIEW_ID,\"arguments\":\"[]\",\"vaults\":[{\"id\":0,\"vault_key_id\":$VAULT_KEY_ID,\"name\":\"prod\"}],\"survey_vars\":[{\"name\":\"version\",\"title\":\"Version\",\"required\":true,\"type\":\"\",\"description\":\"\",\"values\":null}]}"
expect 201 "POST templates (vault, survey var)"
TPL_ID=$(json "$WORK/body" 'String(j.id)')

call POST "$P/schedules" "{\"name\":\"nightly\",\"cron_format\":\"0 3 * * *\",\"template_id\":$TPL_ID,\"active\":true}"
expect 201 "POST schedules"
SCHED_ID=$(json "$WORK/body" 'String(j.id)')

call POST "$P/integrations" "{\"name\":\"on push\",\"template_id\":$TPL_ID,\"auth_method\":\"\",\"searchable\":false}"
expect 201 "POST integrations"
INT_ID=$(json "$WORK/body" 'String(j.id)')
call POST "$P/integrations/$INT_ID/matchers" '{"name":"main branch","match_type":"body","method":"equals","body_data_type":"json","key":"ref","value":"refs/heads/main"}'
expect 200 "POST integration matcher"
MATCHER_ID=$(json "$WORK/body" 'String(j.id)')
call POST "$P/integrations/$INT_ID/values" '{"name":"commit","value_source":"body","body_data_type":"json","key":"after","variable":"COMMIT"}'
expect 201 "POST integration value"
VALUE_ID=$(json "$WORK/body" 'String(j.id)')

step "read everything back"
for path in "$P" "$P/keys/$KEY_ID" "$P/repositories/$REPO_ID" "$P/inventory/$INV_ID" "$P/environment/$ENV_ID" \
  "$P/views/$VIEW_ID" "$P/templates/$TPL_ID" "$P/schedules/$SCHED_ID" "$P/integrations/$INT_ID" \
  "$P/integrations/$INT_ID/matchers/$MATCHER_ID" "$P/integrations/$INT_ID/values/$VALUE_ID"; do
  call GET "$path"; expect 200 "GET ${path#"$P"}"
  if grep -qE 'vault-secret-pw|env-secret-value|PRIVATE KEY' "$WORK/body"; then fail "a secret came back from GET $path"; fi
done
call GET "$P/templates/$TPL_ID"
[ "$(json "$WORK/body" 'j.survey_vars[0].name + "/" + j.vaults.length')" = "version/1" ] ||
  fail "template lost its survey var or vault"

step "delete in reverse order"
call DELETE "$P/keys/$KEY_ID"; expect 400 "DELETE key still used by the repository (refused)"
[ "$(json "$WORK/body" 'String(j.inUse)')" = "true" ] || fail "refused delete without inUse: $(cat "$WORK/body")"
call DELETE "$P/integrations/$INT_ID/values/$VALUE_ID"; expect 204 "DELETE integration value"
call DELETE "$P/integrations/$INT_ID/matchers/$MATCHER_ID"; expect 204 "DELETE integration matcher"
call DELETE "$P/integrations/$INT_ID"; expect 204 "DELETE integration"
call DELETE "$P/schedules/$SCHED_ID"; expect 204 "DELETE schedule"
call DELETE "$P/templates/$TPL_ID"; expect 204 "DELETE template"
call DELETE "$P/views/$VIEW_ID"; expect 204 "DELETE view"
call DELETE "$P/environment/$ENV_ID"; expect 204 "DELETE environment"
call DELETE "$P/inventory/$INV_ID"; expect 204 "DELETE inventory"
call DELETE "$P/repositories/$REPO_ID"; expect 204 "DELETE repository"
call DELETE "$P/keys/$VAULT_KEY_ID"; expect 204 "DELETE vault key"
call DELETE "$P/keys/$KEY_ID"; expect 204 "DELETE key (now unused)"
call DELETE "$P"; expect 204 "DELETE project"
call GET "$P"; expect 404 "GET deleted project"
echo "newcomer flow: ok"
