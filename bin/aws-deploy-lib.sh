# shellcheck shell=bash
# Shared by glue/deploy.sh and emr/deploy.sh (sourced, not run): the deployment variables, the choice of runtime
# and of the jar built for it, rendering of the ${VARIABLE} templates under glue/ and emr/, and --dry-run, which
# prints every aws command instead of running it.
# The sourcing script first sets OWN_VARIABLES: its platform's variables as help lines ("NAME   meaning"),
# required unless the line says (optional); RUNTIME_VARIABLE: the variable that names the platform's runtime
# (GLUE_VERSION, EMR_RELEASE), whose values and Spark lines $PLATFORM/runtimes.tsv lists; and RUNTIME_LABEL, a
# printf format that names one of its values in messages ("Glue %s").
# shellcheck disable=SC2034 # START, ARTIFACTS, ADLAKE_JAR_URI… are read by the scripts that source this file.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# glue or emr: the directory of the sourcing script, which holds the platform's templates.
PLATFORM=$(basename "$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)")
SCRIPT="$PLATFORM/$(basename "${BASH_SOURCE[1]}")"
DRY_RUN=false
START=true
JOBS=(ingest attribute conversions aggregate)
# Placeholders a template may hold; render() fills exactly these and fails on any other.
TEMPLATE_VARIABLES=(AWS_REGION AWS_ACCOUNT_ID ADLAKE_NAME ADLAKE_BUCKET ADLAKE_PREFIX ADLAKE_NAMESPACE
  ADLAKE_JAR_URI ADLAKE_KAFKA_BOOTSTRAP_SERVERS MSK_CLUSTER_NAME)

usage() {
  cat <<EOF
Usage: $SCRIPT [--dry-run] [--jobs ingest,attribute,conversions,aggregate | --jobs run] [--no-start]

  --dry-run   print the aws commands instead of running them (renders the files all the same)
  --jobs      which jobs (default: ingest,attribute,conversions,aggregate; run = the four in one application,
              alone)
  --no-start  deploy, but start no run

Required variables:
  AWS_REGION, AWS_ACCOUNT_ID          where the jobs, the Glue catalog and the bucket live
  ADLAKE_BUCKET                       S3 bucket for tables, checkpoints, artifacts and logs
  ADLAKE_KAFKA_BOOTSTRAP_SERVERS      MSK TLS bootstrap brokers, host:9094[,host:9094]
  MSK_CLUSTER_NAME                    MSK cluster name (IAM policy: Connect and DescribeCluster on the cluster,
                                      DescribeTopic and ReadData on the five topics, DescribeGroup and
                                      AlterGroup on Spark's consumer groups)
EOF
  printf '  %s\n' "${OWN_VARIABLES[@]}"
  cat <<EOF
Optional:
  ADLAKE_PREFIX (adlake)              key prefix in the bucket: warehouse/, checkpoints/, artifacts/, logs
  ADLAKE_NAME (adlake)                jobs are named ADLAKE_NAME-<job>
  ADLAKE_NAMESPACE (adlake)           Glue database of the tables
  ADLAKE_JAR_DIR (target)             where make build leaves the jars, adlake-<version>-<spark line>.jar
  ADLAKE_JAR                          the jar to deploy (default: the one in ADLAKE_JAR_DIR for the runtime)
  ADLAKE_OUT (target/aws)             the rendered files go to ADLAKE_OUT/$PLATFORM

$RUNTIME_VARIABLE and the jar each value runs ($PLATFORM/runtimes.tsv; the first is the default):
EOF
  read_runtimes
  local runtime
  for runtime in "${RUNTIMES[@]}"; do
    printf '  %-34s  %s: adlake-<version>-%s.jar\n' "$runtime" "$(describe_line "${SPARK_LINES[$runtime]}")" \
      "${SPARK_LINES[$runtime]}"
  done
}

die() {
  printf '%s: %s\n' "$SCRIPT" "$*" >&2
  exit 2
}

# prepare ARGUMENT... : the script's arguments parsed, its variables checked and resolved, OUT made.
prepare() {
  parse_arguments "$@"
  local line required=()
  for line in "${OWN_VARIABLES[@]}"; do
    TEMPLATE_VARIABLES+=("${line%% *}")
    [[ $line == *"(optional)"* ]] || required+=("${line%% *}")
  done
  resolve_common "${required[@]}"
  OUT=${ADLAKE_OUT:-$ROOT/target/aws}/$PLATFORM
  mkdir -p "$OUT"
}

parse_arguments() {
  while (($#)); do
    case $1 in
      --dry-run) DRY_RUN=true ;;
      --no-start) START=false ;;
      --jobs)
        (($# > 1)) || die "--jobs needs a list, e.g. --jobs ingest,attribute"
        IFS=, read -r -a JOBS <<<"$2"
        shift
        ;;
      -h | --help)
        usage
        exit 0
        ;;
      *) die "unknown argument '$1' (see $SCRIPT --help)" ;;
    esac
    shift
  done
  local job
  for job in "${JOBS[@]}"; do
    [[ $job =~ ^(ingest|attribute|conversions|aggregate|run)$ ]] ||
      die "unknown job '$job': ingest, attribute, conversions, aggregate or run"
  done
  # run holds the other four in one application, on the same checkpoints: never both at once.
  if [[ " ${JOBS[*]} " == *" run "* ]] && ((${#JOBS[@]} > 1)); then
    die "--jobs run already runs ingest, attribute, conversions and aggregate; deploy it alone"
  fi
}

# Every named variable set and non-empty, or one message that lists all the missing ones.
require_variables() {
  local missing=() name
  for name in "$@"; do
    [[ -n ${!name:-} ]] || missing+=("$name")
  done
  ((${#missing[@]} == 0)) || die "set these variables first: ${missing[*]} (see $SCRIPT --help)"
}

# resolve_common NAME... : the common variables and the script's own required NAMEs set, defaults, the runtime
# and its jar, the S3 locations derived from bucket and prefix, and checks on the values.
resolve_common() {
  require_variables AWS_REGION AWS_ACCOUNT_ID ADLAKE_BUCKET ADLAKE_KAFKA_BOOTSTRAP_SERVERS MSK_CLUSTER_NAME "$@"
  ADLAKE_NAME=${ADLAKE_NAME:-adlake}
  ADLAKE_PREFIX=${ADLAKE_PREFIX:-adlake}
  ADLAKE_NAMESPACE=${ADLAKE_NAMESPACE:-adlake}
  [[ $AWS_ACCOUNT_ID =~ ^[0-9]{12}$ ]] || die "AWS_ACCOUNT_ID must be the 12-digit account id, got '$AWS_ACCOUNT_ID'"
  [[ $AWS_REGION =~ ^[a-z]{2}(-[a-z]+)+-[0-9]$ ]] || die "AWS_REGION must be a region code (aws configure get region), got '$AWS_REGION'"
  [[ $ADLAKE_PREFIX != /* && $ADLAKE_PREFIX != */ ]] || die "ADLAKE_PREFIX takes no leading or trailing '/', got '$ADLAKE_PREFIX'"
  [[ $ADLAKE_NAMESPACE =~ ^[a-z_][a-z0-9_]*$ ]] || die "ADLAKE_NAMESPACE must be a lower-case identifier, got '$ADLAKE_NAMESPACE'"
  choose_runtime
  # Values go into JSON and HOCON strings unescaped: keep to the characters names, ARNs and host lists use.
  local name
  for name in "${TEMPLATE_VARIABLES[@]}"; do
    [[ ${!name:-} =~ ^[A-Za-z0-9._:/,=@+-]*$ ]] \
      || die "$name has a character that cannot go into the job definitions: '${!name}'"
  done

  choose_jar
  S3_ROOT="s3://$ADLAKE_BUCKET/$ADLAKE_PREFIX"
  ARTIFACTS="$S3_ROOT/artifacts"
  ADLAKE_JAR_URI=$(versioned_uri "$ADLAKE_JAR" jars)
  echo "$RUNTIME runs $(describe_line "$SPARK_LINE"): $ADLAKE_JAR goes to $ADLAKE_JAR_URI" >&2
}

# Reads $PLATFORM/runtimes.tsv into RUNTIMES (the values, in order) and SPARK_LINES (value -> Spark line).
read_runtimes() {
  local table="$ROOT/$PLATFORM/runtimes.tsv" runtime line
  RUNTIMES=()
  declare -gA SPARK_LINES=()
  while IFS=$'\t' read -r runtime line; do
    [[ -z $runtime || $runtime == '#'* ]] && continue
    [[ $line =~ ^spark[0-9]+\.[0-9]+_[0-9]+\.[0-9]+$ ]] \
      || die "$table: '$runtime' needs a Spark line such as spark4.1_2.13, got '$line'"
    RUNTIMES+=("$runtime")
    SPARK_LINES[$runtime]=$line
  done <"$table"
  ((${#RUNTIMES[@]} > 0)) || die "$table lists no runtime"
}

# spark4.1_2.13 -> Spark 4.1 / Scala 2.13
describe_line() {
  local versions=${1#spark}
  printf 'Spark %s / Scala %s' "${versions%_*}" "${versions#*_}"
}

# The runtime RUNTIME_VARIABLE names (by default the first of runtimes.tsv), SPARK_LINE, the line it runs, and
# RUNTIME, its name in messages.
choose_runtime() {
  read_runtimes
  local chosen=${!RUNTIME_VARIABLE:-${RUNTIMES[0]}}
  [[ -n ${SPARK_LINES[$chosen]:-} ]] \
    || die "$RUNTIME_VARIABLE=$chosen is not a runtime adlake deploys to; one of: ${RUNTIMES[*]} ($PLATFORM/runtimes.tsv)"
  printf -v "$RUNTIME_VARIABLE" '%s' "$chosen"
  SPARK_LINE=${SPARK_LINES[$chosen]}
  # shellcheck disable=SC2059 # the format is the sourcing script's RUNTIME_LABEL
  printf -v RUNTIME "$RUNTIME_LABEL" "$chosen"
}

# ADLAKE_JAR: the jar built for SPARK_LINE. A jar serves one Spark line only (its Kafka connector uses Spark
# internals), so a jar of another line is refused with the name of the one that fits.
choose_jar() {
  local dir=${ADLAKE_JAR_DIR:-$ROOT/target} jars name built fits
  dir=${dir#"$PWD"/} # messages name paths as the operator would type them
  shopt -s nullglob
  jars=("$dir"/adlake-*-"$SPARK_LINE".jar)
  shopt -u nullglob
  fits="$RUNTIME runs $(describe_line "$SPARK_LINE"): use $dir/adlake-<version>-$SPARK_LINE.jar (make build)"
  ((${#jars[@]} != 1)) || fits="$RUNTIME runs $(describe_line "$SPARK_LINE"): use ${jars[0]}"
  if [[ -n ${ADLAKE_JAR:-} ]]; then
    [[ -f $ADLAKE_JAR ]] || die "ADLAKE_JAR=$ADLAKE_JAR is not a file. $fits"
    name=$(basename "$ADLAKE_JAR")
    [[ $name == adlake-*-"$SPARK_LINE".jar ]] && return
    if [[ $name =~ -(spark[0-9]+\.[0-9]+_[0-9]+\.[0-9]+)\.jar$ ]]; then
      built="is built for $(describe_line "${BASH_REMATCH[1]}")"
    else
      built="does not name its Spark line (adlake-<version>-<line>.jar)"
    fi
    die "ADLAKE_JAR=$ADLAKE_JAR $built, but $fits"
  fi
  case ${#jars[@]} in
    1) ADLAKE_JAR=${jars[0]} ;;
    0) die "no jar in $dir for $RUNTIME. $fits" ;;
    *) die "more than one jar for $(describe_line "$SPARK_LINE") in $dir (${jars[*]}): set ADLAKE_JAR to one" ;;
  esac
}

# versioned_uri FILE KIND: FILE's S3 URI under artifacts/KIND/, keyed by a hash of its content, so that a run
# restarted or retried on its checkpoints gets the code and settings it started with, never a later upload.
versioned_uri() {
  local sum
  if command -v sha256sum >/dev/null; then
    sum=$(sha256sum "$1")
  else
    sum=$(shasum -a 256 "$1")
  fi
  printf '%s/%s/%s/%s\n' "$ARTIFACTS" "$2" "${sum:0:16}" "$(basename "$1")"
}

# The command, shell-quoted, as one line: what --dry-run prints and what a real run logs.
show() {
  local quoted
  printf -v quoted ' %q' "$@"
  printf '%s\n' "${quoted# }"
}

# Runs an aws command in the deployment's region; under --dry-run only prints it.
aws_cmd() {
  if $DRY_RUN; then
    show aws "$@" --region "$AWS_REGION"
  else
    show + aws "$@" --region "$AWS_REGION" >&2
    aws "$@" --region "$AWS_REGION"
  fi
}

# start_unless_active NAME LOOKUP START STOP STATUS: the last four name arrays of aws arguments. LOOKUP prints the
# id of an active run of job NAME, or None; START starts a run and prints its id; STOP and STATUS, with {} for a
# run id, are shown for the operator. A second run would share the first one's checkpoints: never start one.
start_unless_active() {
  local name=$1 active run_id
  # Named apart from the callers' arrays, which a nameref of the same name could not reach.
  local -n lookup_args=$2 start_args=$3 stop_args=$4 status_args=$5
  if $DRY_RUN; then
    aws_cmd "${lookup_args[@]}"
    echo "# unless a run is active:"
    aws_cmd "${start_args[@]}"
    return
  fi
  active=$(aws_cmd "${lookup_args[@]}")
  if [[ -n $active && $active != None ]]; then
    echo "$name: run $active is active and keeps the code it started with; to pick up this deploy:"
    show aws "${stop_args[@]//'{}'/$active}" --region "$AWS_REGION"
    echo "  then run $SCRIPT again."
  else
    run_id=$(aws_cmd "${start_args[@]}")
    echo "$name: started run $run_id"
    echo "  state: $(show aws "${status_args[@]//'{}'/$run_id}" --region "$AWS_REGION")"
  fi
}

# Copies TEMPLATE to OUT with every ${NAME} of TEMPLATE_VARIABLES filled; a placeholder left over is an error.
render() {
  local text name
  text=$(<"$1")
  for name in "${TEMPLATE_VARIABLES[@]}"; do
    text=${text//"\${$name}"/"${!name}"}
  done
  # shellcheck disable=SC2016 # a literal ${, the start of a placeholder
  if [[ $text == *'${'* ]]; then
    # shellcheck disable=SC2016
    die "$1 has placeholders that no variable fills: $(grep -o '\${[^}]*}' <<<"$text" | sort -u | tr '\n' ' ')"
  fi
  printf '%s\n' "$text" >"$2"
}
